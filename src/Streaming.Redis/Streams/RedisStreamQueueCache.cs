using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>
/// Orleans' simple queue cache, holding at most <paramref name="maxReads"/> batch containers (reads of one
/// stream) per queue: once that many are cached, the pulling agent stops reading until the writer grains have
/// taken some. Entries wait in Redis, not in memory, so memory follows readCount, not the backlog.
/// </summary>
/// <remarks>
/// The simple cache purges in buckets of a tenth of its size and counts pressure in buckets, so it can only
/// be bounded in steps of ten containers; below ten, the bound here is the container count itself, and each
/// container is its own bucket (leaves the cache as soon as its stream's writer is past it).
/// </remarks>
internal sealed class RedisStreamQueueCache(int maxReads, ILogger logger) : SimpleQueueCache(Math.Max(maxReads, MinSimpleCacheSize), logger)
{
    private const int MinSimpleCacheSize = 10;

    public override bool IsUnderPressure() => Size >= maxReads || base.IsUnderPressure();
}
