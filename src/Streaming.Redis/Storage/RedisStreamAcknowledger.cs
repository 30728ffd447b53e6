using System.Globalization;
using DynamoWriter.Resilience;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Storage;

/// <summary>
/// XACK, dead-letter and keep for one provider's group. Acknowledging is retried on connection errors and
/// timeouts until Redis takes it (or the caller cancels): an entry written but not acknowledged is only
/// written again, an entry acknowledged and not written is lost.
/// </summary>
internal sealed class RedisStreamAcknowledger(RedisStreamStorage storage) : IRedisStreamAcknowledger
{
    private static readonly TimeSpan RetryCap = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryBase = TimeSpan.FromMilliseconds(100);

    // KEYS[1] dead-letter stream, KEYS[2] source stream; ARGV[1] group, then per letter: id, n, n field/value items.
    // Redis does not roll back a script either, so the type is checked before anything is written: a
    // dead-letter key of another type changes nothing and the entries stay pending.
    private const string DeadLetterScript = """
        local t = redis.call('TYPE', KEYS[1])
        if type(t) == 'table' then t = t['ok'] end
        if t ~= 'stream' and t ~= 'none' then return {0, t} end
        local i = 2
        local ids = {}
        while i <= #ARGV do
          local n = tonumber(ARGV[i + 1])
          local args = {'XADD', KEYS[1], '*'}
          for j = 1, n do args[#args + 1] = ARGV[i + 1 + j] end
          redis.call(unpack(args))
          ids[#ids + 1] = ARGV[i]
          i = i + 2 + n
        end
        local acked = 0
        for k = 1, #ids, 1000 do
          acked = acked + redis.call('XACK', KEYS[2], ARGV[1], unpack(ids, k, math.min(k + 999, #ids)))
        end
        return {1, acked}
        """;

    public string DeadLetterStreamFor(string stream) => storage.Options.DeadLetterStreamFor(stream);

    public async Task AcknowledgeAsync(string stream, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var values = ids.Select(id => (RedisValue)id).ToArray();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var db = await storage.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
                await db.StreamAcknowledgeAsync(stream, storage.Options.Group, values).WaitAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException && !cancellationToken.IsCancellationRequested)
            {
                Log.AckFailed(storage.Logger, ex, stream, ids.Count);
                await Task.Delay(Backoff.FullJitter(attempt, RetryCap, RetryBase), storage.Time, cancellationToken).ConfigureAwait(false);
            }
        }

        Counted(stream, ids.Count);
    }

    public async Task DeadLetterAsync(string stream, IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken)
    {
        if (letters.Count == 0)
        {
            return;
        }

        var dlq = DeadLetterStreamFor(stream);
        var now = storage.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var args = new List<RedisValue>(1 + (letters.Count * (4 + (DeadLetterFields.Count * 2)))) { storage.Options.Group };
        foreach (var letter in letters)
        {
            var entry = letter.Entry;
            args.Add(entry.Id);
            args.Add((entry.Fields.Count + DeadLetterFields.Count) * 2);
            foreach (var field in entry.Fields)
            {
                args.Add(field.Name);
                args.Add(field.Value);
            }

            args.Add(DeadLetterFields.SourceStream);
            args.Add(stream);
            args.Add(DeadLetterFields.SourceId);
            args.Add(entry.Id);
            args.Add(DeadLetterFields.ErrorKind);
            args.Add(letter.ErrorKind);
            args.Add(DeadLetterFields.Error);
            args.Add(letter.Error);
            args.Add(DeadLetterFields.DeliveryCount);
            args.Add(entry.DeliveryCount.ToString(CultureInfo.InvariantCulture));
            args.Add(DeadLetterFields.Time);
            args.Add(now);
        }

        var db = await storage.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(DeadLetterScript, [dlq, stream], [.. args]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
        if ((long)reply[0] == 0)
        {
            throw new DeadLetterStreamException(
                $"dead-letter key '{dlq}' holds a {(string?)reply[1]}, not a stream; {letters.Count} entries of '{stream}' stay pending until it is fixed");
        }

        foreach (var letter in letters)
        {
            storage.Metrics?.EntriesDeadLettered.Add(1, new KeyValuePair<string, object?>("stream", stream), new KeyValuePair<string, object?>("error_kind", letter.ErrorKind));
            Log.DeadLettered(storage.Logger, stream, letter.Entry.Id, dlq, letter.ErrorKind, letter.Error);
        }

        storage.Totals?.AddDeadLettered(letters.Count);
        Counted(stream, (int)(long)reply[1]);
    }

    /// <summary>
    /// Resets the idle time of entries <paramref name="consumer"/> still holds (XCLAIM ... JUSTID, which does not
    /// count a delivery), so a claim pass does not take entries that are only waiting their turn.
    /// </summary>
    public async Task KeepAsync(string stream, string consumer, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        const int ChunkSize = 1000;
        var db = await storage.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in ids.Chunk(ChunkSize))
        {
            await db.StreamClaimIdsOnlyAsync(stream, storage.Options.Group, consumer, 0, [.. chunk.Select(id => (RedisValue)id)])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Counted(string stream, int count)
    {
        storage.Metrics?.EntriesAcknowledged.Add(count, new KeyValuePair<string, object?>("stream", stream));
        storage.Totals?.AddAcknowledged(count);
    }
}
