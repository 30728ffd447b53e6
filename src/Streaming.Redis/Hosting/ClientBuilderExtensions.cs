using DynamoWriter.Streaming.Redis.Streams;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Hosting;

/// <summary>
/// The provider in an Orleans client: producers only. A client's <c>OnNextAsync</c> XADDs straight to Redis;
/// the silos' pulling agents read the entries from there, so a client needs no queues, cache or acknowledger.
/// </summary>
public static class ClientBuilderExtensions
{
    /// <summary>Adds a Redis Streams persistent stream provider named <paramref name="name"/> to a client.</summary>
    public static IClientBuilder AddRedisStreams(this IClientBuilder builder, string name, Action<RedisStreamOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        RedisStreamServices.Add(builder.Services, name, options => options.Configure(configure), reads: false);
        return builder.AddPersistentStreams(name, RedisStreamAdapterFactory.Create, stream => RedisStreamServices.ConfigureShared(stream, name));
    }

    /// <summary>
    /// Adds the stream provider of a DynamoWriter cluster (<see cref="StreamNamespaces.ProviderName"/>), so that
    /// <c>client.GetStreamProvider("dynamo-writer").GetStream&lt;StreamEntry&gt;("redis-stream", key).OnNextAsync(entry)</c>
    /// adds the entry to the Redis stream <c>key</c>, which the cluster writes to DynamoDB. <paramref name="redis"/> is
    /// the cluster's Redis (<c>sc.stream.redis</c>).
    /// </summary>
    public static IClientBuilder AddDynamoWriterStreams(this IClientBuilder builder, ConfigurationOptions redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        return builder.AddRedisStreams(StreamNamespaces.ProviderName, o => o.ConfigurationOptions = redis);
    }
}
