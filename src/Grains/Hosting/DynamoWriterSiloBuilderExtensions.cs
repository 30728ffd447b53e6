using Amazon.DynamoDBv2;
using DynamoWriter;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Grains.Hosting;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Grains.Operations.Health;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Grains.Writer;
using DynamoWriter.Options;
using DynamoWriter.Streaming.Redis.Hosting;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Streaming.Redis.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Orleans.Hosting;

/// <summary>
/// Adds DynamoWriter to any Orleans silo: the Redis Streams provider, the writer grains, the checkpoint
/// grain storage on DynamoDB, health checks and meters. The <c>dynamo-writer</c> executable is built the
/// same way; clustering and endpoints stay the host's choice.
/// </summary>
public static class DynamoWriterSiloBuilderExtensions
{
    /// <summary>Binds options from <paramref name="section"/> (the <c>sc</c> section) and adds the writer.</summary>
    public static ISiloBuilder AddDynamoWriter(this ISiloBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDynamoWriterOptions(section);
        return builder.AddDynamoWriterCore();
    }

    /// <summary>Configures options in code and adds the writer.</summary>
    public static ISiloBuilder AddDynamoWriter(this ISiloBuilder builder, Action<DynamoWriterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDynamoWriterOptions(configure);
        return builder.AddDynamoWriterCore();
    }

    private static ISiloBuilder AddDynamoWriterCore(this ISiloBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(WriterContext)))
        {
            return builder; // added already: provider, storage and health check names must stay unique
        }

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DynamoWriterMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<WriterTotals>();
        services.TryAddSingleton<IAmazonDynamoDB>(sp => DynamoClientFactory.Create(Options(sp).DynamoDB));
        services.TryAddSingleton(sp => new NodeIdentity(sp.GetRequiredService<ILocalSiloDetails>().Name, sp.GetRequiredService<TimeProvider>().GetUtcNow()));
        services.TryAddSingleton(sp => new TableWriters(
            sp.GetRequiredService<IAmazonDynamoDB>(), Options(sp), sp.GetRequiredService<DynamoWriterMetrics>(), sp.GetService<Func<TableKeySchema, IItemWriter>>()));
        services.TryAddSingleton<WriterShutdown>();
        services.TryAddSingleton<SiloHealth>();
        services.AddSingleton(sp =>
        {
            var redis = sp.GetRequiredService<DynamoWriterRedis>();
            return new WriterContext(
                Options(sp),
                sp.GetRequiredService<TableWriters>(),
                sp.GetRequiredKeyedService<IRedisStreamAcknowledger>(StreamNamespaces.ProviderName),
                redis.GetDatabaseAsync,
                sp.GetRequiredService<DynamoWriterMetrics>(),
                sp.GetRequiredService<WriterTotals>(),
                sp.GetRequiredService<WriterShutdown>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILocalSiloDetails>().Name);
        });
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DynamoWriterLifecycle>();

        builder.AddRedisStreams(StreamNamespaces.ProviderName, provider => provider.Configure<IOptions<DynamoWriterOptions>, IServiceProvider>(ConfigureProvider));
        builder.AddDynamoDbGrainStorage(StreamWriterGrain.StorageName, _ => { });
        services.AddOptions<DynamoDbGrainStorageOptions>(StreamWriterGrain.StorageName).Configure<IOptions<DynamoWriterOptions>>((storage, writer) =>
        {
            var o = writer.Value;
            storage.TableName = o.Checkpoint.TableName;
            // The item key of a checkpoint is (group, stream), as the status command and older versions read it.
            storage.KeyFor = (_, grainId) => CheckpointKeys.For(o.Stream.Group, grainId.Key.ToString()!);
        });

        // The heartbeat names the queues this silo reads, so `status` shows which silo owns which stream.
        services.TryAddSingleton(sp => new NodeHeartbeatService(
            sp.GetRequiredService<DynamoWriterRedis>(), sp.GetRequiredService<IOptions<DynamoWriterOptions>>(), sp.GetRequiredService<NodeIdentity>(),
            sp.GetRequiredService<WriterTotals>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<NodeHeartbeatService>>(), sp.GetRequiredService<TimeProvider>())
        {
            Queues = () => sp.GetRequiredKeyedService<IRedisStreamCatalog>(StreamNamespaces.ProviderName).Queues,
        });
        services.AddDynamoWriterOperations();
        services.AddHealthChecks()
            .AddCheck<WriterAliveHealthCheck>("engine-loops", tags: [HealthCheckTags.Live])
            .AddCheck<SiloActiveHealthCheck>("engine", tags: [HealthCheckTags.Ready]);
        return builder;
    }

    private static void ConfigureProvider(RedisStreamOptions provider, IOptions<DynamoWriterOptions> writerOptions, IServiceProvider services)
    {
        var o = writerOptions.Value;
        var stream = o.Stream;
        provider.Group = stream.Group;
        provider.Streams = [.. stream.Streams];
        provider.ReadCount = stream.ReadCount;
        provider.PollInterval = stream.PollInterval;
        provider.Queues = o.Orleans.Queues;
        provider.ClaimInterval = stream.ClaimInterval;
        provider.ClaimMinIdle = stream.ClaimMinIdle;
        provider.DiscoverInterval = stream.DiscoverInterval;
        provider.DeadLetterStream = stream.DeadLetter.Stream;
        provider.ConsumerPrefix = o.Orleans.ServiceId;
        // A group that went missing (failover, flush) is recreated at the durable checkpoint, not at 0.
        var checkpoints = new CheckpointReader(services.GetRequiredService<IAmazonDynamoDB>(), o.Checkpoint.TableName);
        provider.GroupStartPosition = async (key, ct) =>
            (await checkpoints.GetPositionAsync(stream.Group, key, ct).ConfigureAwait(false))?.ToString();
        // One connection to the streams' Redis per silo: the provider shares the operations' multiplexer.
        provider.CreateMultiplexer = sp => sp.GetRequiredService<DynamoWriterRedis>().GetConnectionAsync();
    }

    private static DynamoWriterOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<DynamoWriterOptions>>().Value;
}
