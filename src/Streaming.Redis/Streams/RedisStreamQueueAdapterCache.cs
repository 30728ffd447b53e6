using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>Creates each queue's <see cref="RedisStreamQueueCache"/>; its size is <see cref="SimpleQueueCacheOptions.CacheSize"/>, in reads.</summary>
internal sealed class RedisStreamQueueAdapterCache(SimpleQueueCacheOptions options, string providerName, ILoggerFactory loggerFactory) : IQueueAdapterCache
{
    private readonly int _maxReads = Math.Max(1, options.CacheSize);

    /// <summary>Caches created and not yet taken by their queue's receiver (the agent creates the cache first).</summary>
    private readonly ConcurrentDictionary<QueueId, RedisStreamQueueCache> _untaken = new();

    public IQueueCache CreateQueueCache(QueueId queueId)
    {
        var cache = new RedisStreamQueueCache(_maxReads, loggerFactory.CreateLogger($"{typeof(RedisStreamQueueCache).FullName}.{providerName}.{queueId}"));
        _untaken[queueId] = cache;
        return cache;
    }

    /// <summary>The cache the pulling agent of <paramref name="queueId"/> just created, for its receiver to keep the bound with.</summary>
    public RedisStreamQueueCache? Take(QueueId queueId)
    {
        if (!_untaken.TryRemove(queueId, out var cache))
        {
            return null;
        }

        cache.Attached = true;
        return cache;
    }
}
