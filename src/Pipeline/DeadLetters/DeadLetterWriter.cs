using System.Globalization;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using DynamoWriter.Redis;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline.DeadLetters;

/// <summary>An entry that can never be written, and why.</summary>
internal sealed record DeadLetter(StreamEntry Entry, EntryErrorKind Kind, string Error);

/// <summary>
/// Moves entries to the dead-letter stream. The XADDs and the XACK of the originals run in one
/// MULTI/EXEC, so a crash can neither lose an entry (acked, not dead-lettered) nor duplicate it
/// (dead-lettered, still pending, dead-lettered again).
/// </summary>
internal sealed class DeadLetterWriter(RedisClient commands, StreamOptions options, DynamoWriterMetrics metrics, ILogger logger, TimeProvider time)
{
    public async Task WriteAsync(string stream, IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken)
    {
        var dlq = options.DeadLetter.KeyFor(stream);
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var commandsToRun = new List<IReadOnlyList<string>>(letters.Count + 1);
        var ack = new List<string>(letters.Count + 3) { "XACK", stream, options.Group };
        foreach (var letter in letters)
        {
            var args = new List<string>(4 + (letter.Entry.Fields.Count * 2) + (DeadLetterFields.Count * 2)) { "XADD", dlq, "*" };
            foreach (var field in letter.Entry.Fields)
            {
                args.Add(field.Name);
                args.Add(field.Value);
            }

            args.Add(DeadLetterFields.SourceStream);
            args.Add(stream);
            args.Add(DeadLetterFields.SourceId);
            args.Add(letter.Entry.Id);
            args.Add(DeadLetterFields.ErrorKind);
            args.Add(letter.Kind.ToWireName());
            args.Add(DeadLetterFields.Error);
            args.Add(letter.Error);
            args.Add(DeadLetterFields.DeliveryCount);
            args.Add(letter.Entry.DeliveryCount.ToString(CultureInfo.InvariantCulture));
            args.Add(DeadLetterFields.Time);
            args.Add(now);
            commandsToRun.Add(args);
            ack.Add(letter.Entry.Id);
        }

        commandsToRun.Add(ack);

        // Redis does not roll a transaction back: an XADD failing inside EXEC (the key holds another
        // type) would still let the XACK run and lose the entries. Refuse before, so they stay pending.
        var type = (await commands.ExecuteAsync(["TYPE", dlq], cancellationToken).ConfigureAwait(false)).AsString();
        if (type is not ("stream" or "none"))
        {
            throw new DeadLetterStreamException($"dead-letter key '{dlq}' holds a {type}, not a stream; entries stay pending until it is fixed");
        }

        var replies = await commands.ExecuteTransactionAsync(commandsToRun, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < letters.Count; i++)
        {
            if (replies[i].IsError)
            {
                // Only reachable if the key changed type between TYPE and EXEC: say exactly what was lost.
                Log.DeadLetterLost(logger, stream, letters[i].Entry.Id, dlq, replies[i].AsString() ?? "",
                    string.Join(", ", letters[i].Entry.Fields.Select(f => $"{f.Name}={f.Value}")));
            }
        }
        foreach (var letter in letters)
        {
            metrics.EntriesDeadLettered.Add(1, new KeyValuePair<string, object?>("stream", stream), new KeyValuePair<string, object?>("error_kind", letter.Kind.ToWireName()));
            Log.DeadLettered(logger, stream, letter.Entry.Id, dlq, letter.Kind.ToWireName(), letter.Error);
        }
    }
}

/// <summary>The dead-letter stream cannot take entries (its key holds another type).</summary>
public sealed class DeadLetterStreamException(string message) : Exception(message);

/// <summary>The fields DynamoWriter adds to a dead-letter entry, after the original fields.</summary>
public static class DeadLetterFields
{
    public const string Prefix = "dw:";
    public const string SourceStream = "dw:source-stream";
    public const string SourceId = "dw:source-id";
    public const string ErrorKind = "dw:error-kind";
    public const string Error = "dw:error";
    public const string DeliveryCount = "dw:delivery-count";
    public const string Time = "dw:time";
    internal const int Count = 6;
}
