using DynamoWriter.Streaming.Redis.Balancing;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Streaming.Redis.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Metadata;

namespace DynamoWriter.Streaming.Redis.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Reads (batch containers, up to ReadCount entries each) cached per queue. Small on purpose: when the writers
    /// fall behind, the cache fills and the pulling agent stops reading, so entries wait in Redis, not in memory.
    /// Four keep a stream's writer supplied (one read being written, the next ones ready) and cost at most
    /// 4 × ReadCount entries per queue.
    /// </summary>
    public const int DefaultCacheSize = 4;

    /// <summary>
    /// How often the pulling agent tries its queue. A full cache ends the agent's reading until its next try,
    /// so this is also how long a queue whose writer caught up waits before reading again: at the 50 ms poll
    /// interval, the Redis side drained 19,000 entries/s where it had drained 194,000 with a cache ten times as
    /// large. Trying more often costs: while DynamoDB is the limit the cache is full and each try only wakes a
    /// thread-pool worker (which then spins); in two pairs of overwrite drains (bench 2) the engine took 33.5
    /// and 22.4 µs of CPU per entry at 20 ms against 41.7 and 31.8 at 5 ms, CPU that on shared cores is
    /// DynamoDB's, and latency (bench 6) stayed at a p99 of 67 to 74 ms. The receiver still polls an idle
    /// queue's Redis streams only every PollInterval.
    /// </summary>
    internal static TimeSpan PullingPeriod(TimeSpan pollInterval) => pollInterval < MaxPullingPeriod ? pollInterval : MaxPullingPeriod;

    private static readonly TimeSpan MaxPullingPeriod = TimeSpan.FromMilliseconds(20);

    /// <summary>Adds a Redis Streams persistent stream provider named <paramref name="name"/>.</summary>
    public static ISiloBuilder AddRedisStreams(this ISiloBuilder builder, string name, Action<RedisStreamOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddRedisStreams(name, options => options.Configure(configure));
    }

    /// <summary>Adds a Redis Streams persistent stream provider named <paramref name="name"/> (options bound or configured on the builder).</summary>
    public static ISiloBuilder AddRedisStreams(this ISiloBuilder builder, string name, Action<OptionsBuilder<RedisStreamOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        RedisStreamServices.Add(services, name, configure, reads: true);
        services.AddKeyedSingleton<IRedisStreamCatalog>(name, (sp, _) => sp.GetRequiredKeyedService<RedisStreamCatalog>(name));
        services.AddKeyedSingleton<IRedisStreamAcknowledger>(name, (sp, _) => new RedisStreamAcknowledger(sp.GetRequiredKeyedService<RedisStreamStorage>(name)));
        services.AddSingleton<IGrainPropertiesProvider>(new ReaderSilos(name));

        return builder.AddPersistentStreams(name, RedisStreamAdapterFactory.Create, stream =>
        {
            RedisStreamServices.ConfigureShared(stream, name);
            // Only silos that run this provider read its queues: app silos without it may share the cluster.
            stream.ConfigurePartitionBalancing(ReaderSiloQueueBalancer.Create);
            stream.Configure<StreamPullingAgentOptions>(o => o.Configure<IOptionsMonitor<RedisStreamOptions>>(
                (agent, redis) => agent.GetQueueMsgsTimerPeriod = PullingPeriod(redis.Get(name).PollInterval)));
            stream.Configure<SimpleQueueCacheOptions>(o => o.Configure(cache => cache.CacheSize = DefaultCacheSize));
        });
    }
}
