using DynamoWriter.DeadLetters;
using DynamoWriter.Streaming.Redis.Storage;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations.DeadLetters;

/// <summary>
/// Moves dead-letter entries back to their source stream, oldest first, e.g. after the data or the
/// mapping was fixed. Each move is one Lua script (XADD of the original fields to the source stream, then
/// XDEL from the dead-letter stream): atomic, and a failing XADD stops the script before the XDEL, so a
/// crash or an error never loses an entry nor leaves it in both places.
/// </summary>
/// <remarks>
/// The replayed entry gets a new ID in the source stream and is read again like any new entry. Two
/// replays of one dead-letter stream running at the same time could both move an entry.
/// </remarks>
public sealed class DeadLetterReplayer(DynamoWriterRedis redis)
{
    private const int PageSize = 100;
    private const string StreamType = "stream";
    private const string NoKeyType = "none";

    /// <summary>Lua passes arguments on its C stack (about 8000 slots): beyond this many, MULTI/EXEC instead.</summary>
    private const int MaxScriptArguments = 7000;

    /// <summary>KEYS[1] target, KEYS[2] dead-letter stream; ARGV[1] the dead-letter ID, then field, value, ...</summary>
    private const string MoveScript = """
        local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
        redis.call('XDEL', KEYS[2], ARGV[1])
        return id
        """;

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

        var db = await redis.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var checkedTargets = new HashSet<string>(StringComparer.Ordinal);
        long moved = 0;
        long kept = 0;
        RedisValue start = "-";
        while (count is null || moved < count)
        {
            var page = (int)Math.Min(PageSize, count is { } c ? c - moved : PageSize);
            var entries = await db.StreamRangeAsync(deadLetterStream, start, "+", page).WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                var id = (string)entry.Id!;
                start = "(" + id; // exclusive: entries kept are not read again
                var original = entry.Values.Where(f => !DeadLetterFields.IsAdded((string)f.Name!)).ToList();
                if (original.Count == 0)
                {
                    kept++; // XADD needs a field; nothing to give back
                    continue;
                }

                var source = entry.Values.LastOrDefault(f => f.Name == DeadLetterFields.SourceStream).Value;
                var target = !source.IsNullOrEmpty ? (string)source! : defaultSourceStream;
                if (checkedTargets.Add(target))
                {
                    await EnsureStreamOrMissingAsync(db, target, cancellationToken).ConfigureAwait(false);
                }

                await MoveAsync(db, deadLetterStream, id, target, original, entry, cancellationToken).ConfigureAwait(false);
                moved++;
            }

            if (entries.Length < page)
            {
                break;
            }
        }

        return new DeadLetterReplayResult(moved, kept);
    }

    private static async Task MoveAsync(IDatabase db, string deadLetterStream, string id, string target, List<NameValueEntry> original,
        StackExchange.Redis.StreamEntry entry, CancellationToken cancellationToken)
    {
        if ((original.Count * 2) + 1 <= MaxScriptArguments)
        {
            var args = new RedisValue[1 + (original.Count * 2)];
            args[0] = id;
            for (var i = 0; i < original.Count; i++)
            {
                args[1 + (2 * i)] = original[i].Name;
                args[2 + (2 * i)] = original[i].Value;
            }

            await db.ScriptEvaluateAsync(MoveScript, [target, deadLetterStream], args).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // Too many fields for one script call: MULTI/EXEC. Redis has no rollback, so an XADD failing inside
        // EXEC would still let the XDEL run; the type check before makes that a race with someone else.
        var transaction = db.CreateTransaction();
        var add = transaction.StreamAddAsync(target, [.. original]);
        var delete = transaction.StreamDeleteAsync(deadLetterStream, [id]);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await add.ConfigureAwait(false);
        }
        catch (RedisServerException ex)
        {
            throw new InvalidOperationException(
                $"XADD to '{target}' failed ({ex.Message}) after dead-letter entry {id} was removed; its fields were: " +
                string.Join(", ", entry.Values.Select(f => $"{f.Name}={f.Value}")), ex);
        }

        await delete.ConfigureAwait(false);
    }

    /// <summary>
    /// Refuse a target that holds another type before moving anything to it, with a message that says so
    /// (the script would fail with WRONGTYPE and leave the entry where it is).
    /// </summary>
    private static async Task EnsureStreamOrMissingAsync(IDatabase db, string key, CancellationToken cancellationToken)
    {
        var type = (await db.KeyTypeAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false)) switch
        {
            RedisType.Stream => StreamType,
            RedisType.None => NoKeyType,
            var other => other.ToString().ToLowerInvariant(),
        };
        if (type is not (StreamType or NoKeyType))
        {
            throw new InvalidOperationException($"Cannot replay into '{key}': it holds a {type}, not a stream.");
        }
    }
}
