using Amazon.DynamoDBv2;
using DynamoWriter;
using DynamoWriter.Diagnostics;
using DynamoWriter.DynamoDb;
using DynamoWriter.Options;
using DynamoWriter.Pipeline.Diagnostics;
using DynamoWriter.Pipeline.Engine;
using DynamoWriter.Pipeline.Health;
using DynamoWriter.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the DynamoWriter engine to any Generic Host or ASP.NET Core application.</summary>
public static class DynamoWriterServiceCollectionExtensions
{
    private const string PublisherConnection = "DynamoWriter.Publisher";

    /// <summary>Binds options from <paramref name="section"/> (the <c>sc</c> section) and adds the engine.</summary>
    public static IServiceCollection AddDynamoWriter(this IServiceCollection services, IConfiguration section)
    {
        services.AddDynamoWriterOptions(section);
        return services.AddDynamoWriterCore();
    }

    /// <summary>Configures options in code and adds the engine.</summary>
    public static IServiceCollection AddDynamoWriter(this IServiceCollection services, Action<DynamoWriterOptions> configure)
    {
        services.AddDynamoWriterOptions(configure);
        return services.AddDynamoWriterCore();
    }

    private static IServiceCollection AddDynamoWriterCore(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DynamoWriterMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IAmazonDynamoDB>(sp => DynamoClientFactory.Create(sp.GetRequiredService<IOptions<DynamoWriterOptions>>().Value.DynamoDB));
        services.TryAddSingleton<DynamoWriterEngine>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<DynamoWriterEngine>());
        services.AddDynamoWriterOperations();
        // The publisher's connection is a keyed singleton so the container owns and disposes it.
        services.TryAddKeyedSingleton(PublisherConnection, (sp, _) =>
            new RedisClient(RedisClientOptions.From(sp.GetRequiredService<IOptions<DynamoWriterOptions>>().Value.Stream.EffectiveServer, "dynamo-writer:publisher")));
        services.TryAddSingleton<IStreamPublisher>(sp => new RedisStreamPublisher(
            sp.GetRequiredKeyedService<RedisClient>(PublisherConnection),
            sp.GetRequiredService<IOptions<DynamoWriterOptions>>().Value.Mapping.PayloadField));
        return services;
    }

    /// <summary>
    /// Health checks (tagged <see cref="HealthCheckTags.Live"/> and <see cref="HealthCheckTags.Ready"/>) and the
    /// poller behind the per-stream lag, pending and dead-letter gauges.
    /// </summary>
    private static void AddDynamoWriterOperations(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(EngineHealth)))
        {
            return; // added already (AddDynamoWriter called twice); health check names must stay unique
        }

        services.AddSingleton<EngineHealth>();
        services.TryAddSingleton<OperationsRedis>();
        services.TryAddSingleton<StreamStatsCollector>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<StreamStatsCollector>());
        var timeout = HealthCheckTags.CheckTimeout;
        services.AddHealthChecks()
            .AddCheck<EngineLoopsHealthCheck>("engine-loops", tags: [HealthCheckTags.Live])
            .AddCheck<EngineRunningHealthCheck>("engine", tags: [HealthCheckTags.Ready])
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthCheckTags.Ready], timeout: timeout)
            .AddCheck<DynamoDbHealthCheck>("dynamodb", tags: [HealthCheckTags.Ready], timeout: timeout)
            .AddCheck<TablesHealthCheck>("tables", tags: [HealthCheckTags.Ready], timeout: timeout);
    }
}
