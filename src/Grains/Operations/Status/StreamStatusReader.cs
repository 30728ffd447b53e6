using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Options;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations.Status;

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
/// <c>dynamo-writer status</c>, the <c>dynamowriter.stream.*</c> gauges, the heartbeats and maintenance,
/// so all of them always agree.
/// </summary>
public sealed class StreamStatusReader(DynamoWriterRedis redis, StreamOptions options, TimeProvider time)
{
    /// <summary>
    /// The configured literal streams, in configured order, then for each glob pattern the stream keys
    /// matching it (SCAN TYPE stream, sorted), never a dead-letter stream; each key once.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResolveStreamsAsync(CancellationToken ct)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var configured in LiteralStreams(options))
        {
            if (seen.Add(configured))
            {
                result.Add(configured);
            }
        }

        var patterns = options.Streams.Where(StreamKeys.IsPattern).Distinct(StringComparer.Ordinal).ToList();
        if (patterns.Count == 0)
        {
            return result;
        }

        var db = await redis.GetDatabaseAsync(ct).ConfigureAwait(false);
        foreach (var pattern in patterns)
        {
            var matches = new List<string>();
            await foreach (var key in RedisKeys.ScanAsync(db, pattern, "stream", ct).ConfigureAwait(false))
            {
                if (!StreamKeys.IsDeadLetter(key, options.DeadLetter.Stream))
                {
                    matches.Add(key);
                }
            }

            matches.Sort(StringComparer.Ordinal);
            result.AddRange(matches.Where(seen.Add));
        }

        return result;
    }

    /// <summary>The configured streams that are not glob patterns, in configured order.</summary>
    public static IEnumerable<string> LiteralStreams(StreamOptions options) =>
        options.Streams.Where(s => !StreamKeys.IsPattern(s)).Distinct(StringComparer.Ordinal);

    /// <summary>The numbers of <paramref name="stream"/> for the configured group.</summary>
    public async Task<StreamRedisStatus> ReadAsync(string stream, CancellationToken ct)
    {
        var db = await redis.GetDatabaseAsync(ct).ConfigureAwait(false);
        var group = options.Group;
        var deadLetter = options.DeadLetter.KeyFor(stream);
        var exists = await db.KeyExistsAsync(stream).WaitAsync(ct).ConfigureAwait(false);
        var length = exists ? await db.StreamLengthAsync(stream).WaitAsync(ct).ConfigureAwait(false) : 0;
        var deadLetterLength = await db.StreamLengthAsync(deadLetter).WaitAsync(ct).ConfigureAwait(false);
        StreamGroupInfo? info = null;
        if (exists)
        {
            try
            {
                info = (await db.StreamGroupInfoAsync(stream).WaitAsync(ct).ConfigureAwait(false))
                    .Cast<StreamGroupInfo?>()
                    .FirstOrDefault(g => string.Equals(g!.Value.Name, group, StringComparison.Ordinal));
            }
            catch (RedisServerException)
            {
                // "ERR no such key": deleted since EXISTS; "WRONGTYPE": not a stream. No group numbers either way.
            }
        }

        if (info is not { } found)
        {
            return new StreamRedisStatus(stream, group, exists, length, false, null, 0, null, deadLetter, deadLetterLength);
        }

        double oldestAge = 0;
        if (found.PendingMessageCount > 0)
        {
            var summary = await db.StreamPendingAsync(stream, group).WaitAsync(ct).ConfigureAwait(false);
            if (StreamEntryId.TryParse((string?)summary.LowestPendingMessageId, out var id))
            {
                oldestAge = Math.Max(0, (time.GetUtcNow() - id.Timestamp).TotalSeconds);
            }
        }

        return new StreamRedisStatus(stream, group, true, length, true, found.Lag, found.PendingMessageCount, oldestAge, deadLetter, deadLetterLength);
    }
}
