using DynamoWriter.Redis;

namespace DynamoWriter.Pipeline.DeadLetters;

/// <summary>What one replay did.</summary>
/// <param name="Moved">Entries added back to their source stream and removed from the dead-letter stream.</param>
/// <param name="Kept">Entries left in the dead-letter stream because they have no original field to replay.</param>
public sealed record DeadLetterReplayResult(long Moved, long Kept);

/// <summary>
/// Moves dead-letter entries back to their source stream, oldest first, e.g. after the data or the
/// mapping was fixed. Each move is one MULTI/EXEC (XADD of the original fields to the source stream,
/// then XDEL from the dead-letter stream), so a crash never loses an entry nor leaves it in both places.
/// </summary>
/// <remarks>
/// The replayed entry gets a new ID in the source stream and is read again like any new entry. Two
/// replays of one dead-letter stream running at the same time could both move an entry.
/// </remarks>
public sealed class DeadLetterReplayer(RedisClient redis)
{
    private const int PageSize = 100;
    private const string StreamType = "stream";
    private const string NoKeyType = "none";

    /// <summary>
    /// Moves up to <paramref name="count"/> entries (all when null) from <paramref name="deadLetterStream"/>
    /// to the stream named in their <c>dw:source-stream</c> field, else to <paramref name="defaultSourceStream"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A target key exists but is not a stream.</exception>
    public async Task<DeadLetterReplayResult> ReplayAsync(string deadLetterStream, string defaultSourceStream, long? count = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deadLetterStream);
        ArgumentException.ThrowIfNullOrEmpty(defaultSourceStream);
        if (count is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "must not be negative");
        }

        var checkedTargets = new HashSet<string>(StringComparer.Ordinal);
        long moved = 0;
        long kept = 0;
        var start = "-";
        while (count is null || moved < count)
        {
            var page = (int)Math.Min(PageSize, count is { } c ? c - moved : PageSize);
            var entries = await redis.XRangeAsync(deadLetterStream, start, "+", page, cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                start = "(" + entry.Id; // exclusive: entries kept are not read again
                var original = entry.Fields.Where(f => !f.Name.StartsWith(DeadLetterFields.Prefix, StringComparison.Ordinal)).ToList();
                if (original.Count == 0)
                {
                    kept++; // XADD needs a field; nothing to give back
                    continue;
                }

                var target = entry.GetField(DeadLetterFields.SourceStream) is { Length: > 0 } source ? source : defaultSourceStream;
                if (checkedTargets.Add(target))
                {
                    await EnsureStreamOrMissingAsync(target, cancellationToken).ConfigureAwait(false);
                }

                var add = new List<string>(3 + (original.Count * 2)) { "XADD", target, "*" };
                foreach (var field in original)
                {
                    add.Add(field.Name);
                    add.Add(field.Value);
                }

                var replies = await redis.ExecuteTransactionAsync([add, ["XDEL", deadLetterStream, entry.Id]], cancellationToken).ConfigureAwait(false);
                if (replies[0].IsError)
                {
                    // Redis has no rollback: the XDEL ran. Say loudly which entry, with everything needed to restore it.
                    throw new InvalidOperationException(
                        $"XADD to '{target}' failed ({replies[0].AsString()}) after dead-letter entry {entry.Id} was removed; its fields were: " +
                        string.Join(", ", entry.Fields.Select(f => $"{f.Name}={f.Value}")));
                }

                moved++;
            }

            if (entries.Count < page)
            {
                break;
            }
        }

        return new DeadLetterReplayResult(moved, kept);
    }

    /// <summary>
    /// Redis runs every command of a transaction even when one fails, so an XADD to a key of another
    /// type would fail while the XDEL goes through. Refuse such a target before moving anything to it.
    /// </summary>
    private async Task EnsureStreamOrMissingAsync(string key, CancellationToken cancellationToken)
    {
        var type = (await redis.ExecuteAsync(["TYPE", key], cancellationToken).ConfigureAwait(false)).AsString();
        if (type is not (StreamType or NoKeyType))
        {
            throw new InvalidOperationException($"Cannot replay into '{key}': it holds a {type}, not a stream.");
        }
    }
}
