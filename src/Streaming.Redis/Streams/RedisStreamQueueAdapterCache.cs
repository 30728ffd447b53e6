using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>Creates each queue's <see cref="RedisStreamQueueCache"/>; its size is <see cref="SimpleQueueCacheOptions.CacheSize"/>, in reads.</summary>
internal sealed class RedisStreamQueueAdapterCache(SimpleQueueCacheOptions options, string providerName, ILoggerFactory loggerFactory) : IQueueAdapterCache
{
    private readonly int _maxReads = Math.Max(1, options.CacheSize);

    public IQueueCache CreateQueueCache(QueueId queueId) =>
        new RedisStreamQueueCache(_maxReads, loggerFactory.CreateLogger($"{typeof(RedisStreamQueueCache).FullName}.{providerName}.{queueId}"));
}
