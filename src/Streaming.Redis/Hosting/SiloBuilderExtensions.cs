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
    /// fall behind, the cache fills and the receiver stops reading, so entries wait in Redis, not in memory.
    /// Two keep a stream's writer supplied (one read being written, the next one ready), since the receiver
    /// reads again as soon as a writer moves on (see <see cref="RedisStreamQueueCache"/>), and cost at most
    /// 2 × ReadCount entries per queue.
    /// </summary>
    public const int DefaultCacheSize = 2;

    /// <summary>
    /// How often the pulling agent tries its queue: after a read came back empty, or after the cache stayed
    /// full for a PollInterval (a writer held by DynamoDB). While data flows the agent's read loop does not
    /// end, so this does not bound throughput. Trying more often costs CPU while DynamoDB is the limit (in
    /// two pairs of overwrite drains the engine took 33.5 and 22.4 µs per entry at 20 ms against 41.7 and
    /// 31.8 at 5 ms). The receiver still polls an idle queue's Redis streams only every PollInterval.
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
