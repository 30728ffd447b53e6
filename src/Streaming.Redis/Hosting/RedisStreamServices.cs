using DynamoWriter.Diagnostics;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Streaming.Redis.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace DynamoWriter.Streaming.Redis.Hosting;

/// <summary>What a provider needs in a silo and in a client alike: its validated options and the shared storage.</summary>
internal static class RedisStreamServices
{
    /// <param name="reads">False in a client: it only adds entries, so only the options of the connection are validated.</param>
    public static void Add(IServiceCollection services, string name, Action<OptionsBuilder<RedisStreamOptions>> configure, bool reads)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        var options = services.AddOptions<RedisStreamOptions>(name);
        configure(options);
        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisStreamOptions>>(new RedisStreamOptionsValidator(name, reads));

        services.AddKeyedSingleton(name, (sp, _) => new RedisStreamStorage(
            name,
            sp.GetRequiredService<IOptionsMonitor<RedisStreamOptions>>().Get(name),
            sp,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("DynamoWriter.Streaming.Redis"),
            sp.GetService<DynamoWriterMetrics>(),
            sp.GetService<WriterTotals>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddKeyedSingleton(name, (sp, _) => new RedisStreamCatalog(sp.GetRequiredKeyedService<RedisStreamStorage>(name)));
    }

    /// <summary>
    /// Consumers are implicit subscribers (one per Redis stream), so no pub-sub grain storage is needed; a
    /// client says the same so that its producers never look for explicit subscriptions.
    /// </summary>
    public static void ConfigureShared(IPersistentStreamConfigurator stream, string name)
    {
        stream.ConfigureStreamPubSub(Orleans.Streams.StreamPubSubType.ImplicitOnly);
        stream.Configure<HashRingStreamQueueMapperOptions>(o => o.Configure<IOptionsMonitor<RedisStreamOptions>>(
            (mapper, redis) => mapper.TotalQueueCount = redis.Get(name).Queues));
    }
}
