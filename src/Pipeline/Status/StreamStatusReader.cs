using DynamoWriter.Options;
using DynamoWriter.Pipeline.Nodes;
using DynamoWriter.Redis;

namespace DynamoWriter.Pipeline.Status;

/// <summary>What Redis says about one source stream and the group on it, at one moment.</summary>
/// <param name="Exists">False when the stream key does not exist (yet).</param>
/// <param name="Length">XLEN; 0 for a missing stream.</param>
/// <param name="GroupExists">False when the stream or the group does not exist: no lag or pending numbers then.</param>
/// <param name="Lag">XINFO GROUPS <c>lag</c>: entries not yet delivered to the group; null when Redis cannot tell.</param>
/// <param name="Pending">Delivered to the group but not acknowledged.</param>
/// <param name="OldestPendingAgeSeconds">Now minus the time in the smallest pending ID; 0 when nothing is pending; null without the group.</param>
public sealed record StreamRedisStatus(
    string Stream,
    string Group,
    bool Exists,
    long Length,
    bool GroupExists,
    long? Lag,
    long Pending,
    double? OldestPendingAgeSeconds,
    string DeadLetterStream,
    long DeadLetterLength);

/// <summary>
/// The per-stream numbers of a consumer group (XLEN, XINFO GROUPS, XPENDING summary, XLEN of the
/// dead-letter stream) and the list of streams a configuration names, glob patterns expanded. Shared by
/// <c>dynamo-writer status</c> and the <c>dynamowriter.stream.*</c> gauges, so both always agree.
/// </summary>
public sealed class StreamStatusReader(RedisClient redis, StreamOptions options, TimeProvider time)
{
    /// <summary>
    /// The configured literal streams, in configured order, then for each glob pattern the stream keys
    /// matching it (SCAN TYPE stream, sorted), never a dead-letter stream; each key once.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResolveStreamsAsync(CancellationToken ct)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var configured in options.Streams.Where(s => !StreamNames.IsPattern(s)))
        {
            if (seen.Add(configured))
            {
                result.Add(configured);
            }
        }

        foreach (var pattern in options.Streams.Where(StreamNames.IsPattern).Distinct(StringComparer.Ordinal))
        {
            var matches = new List<string>();
            await foreach (var key in redis.ScanAllAsync(pattern, "stream", ct).ConfigureAwait(false))
            {
                if (!StreamNames.IsDeadLetter(key, options.DeadLetter.Stream))
                {
                    matches.Add(key);
                }
            }

            matches.Sort(StringComparer.Ordinal);
            result.AddRange(matches.Where(seen.Add));
        }

        return result;
    }

    /// <summary>The numbers of <paramref name="stream"/> for the configured group.</summary>
    public async Task<StreamRedisStatus> ReadAsync(string stream, CancellationToken ct)
    {
        var group = options.Group;
        var deadLetter = options.DeadLetter.KeyFor(stream);
        var exists = await redis.ExistsAsync(stream, ct).ConfigureAwait(false);
        var length = exists ? await redis.XLenAsync(stream, ct).ConfigureAwait(false) : 0;
        var deadLetterLength = await redis.XLenAsync(deadLetter, ct).ConfigureAwait(false);
        GroupInfo? info = null;
        if (exists)
        {
            try
            {
                info = (await redis.XInfoGroupsAsync(stream, ct).ConfigureAwait(false))
                    .FirstOrDefault(g => string.Equals(g.Name, group, StringComparison.Ordinal));
            }
            catch (RedisServerException)
            {
                // "ERR no such key": deleted since EXISTS; "WRONGTYPE": not a stream. No group numbers either way.
            }
        }
        if (info is null)
        {
            return new StreamRedisStatus(stream, group, exists, length, false, null, 0, null, deadLetter, deadLetterLength);
        }

        double oldestAge = 0;
        if (info.Pending > 0)
        {
            var summary = await redis.XPendingAsync(stream, group, ct).ConfigureAwait(false);
            if (summary.SmallestId is { } smallest && StreamEntryId.TryParse(smallest, out var id))
            {
                oldestAge = Math.Max(0, (time.GetUtcNow() - id.Timestamp).TotalSeconds);
            }
        }

        return new StreamRedisStatus(stream, group, true, length, true, info.Lag, info.Pending, oldestAge, deadLetter, deadLetterLength);
    }
}
