using Amazon.DynamoDBv2.Model;
using DynamoWriter.Checkpoints;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Streaming.Redis.Storage;

namespace DynamoWriter.Grains.Writer.ExactlyOnce;

/// <summary>
/// The writer grain's half of exactly-once: the checkpoint it last committed and that checkpoint's ETag. A read's
/// items are cut into transactions (at most 99 items and 4 MB besides the checkpoint, and no key twice, so the
/// policy sees every entry of a key in stream order), each committing its items with the checkpoint moved past
/// them. A batch delivered again finds its entries at or below the checkpoint: they are acknowledged, not written.
/// </summary>
internal sealed class ExactlyOnceCommitter
{
    /// <summary>Room left in a transaction's 4 MB for the checkpoint item.</summary>
    private const long CheckpointAllowance = 16 * 1024;

    private readonly TransactionalWriter _writer;
    private readonly Func<StreamCheckpoint, string?, string, TransactWriteItem> _checkpointWrite;
    private readonly Func<CancellationToken, Task<(StreamCheckpoint State, string? ETag)>> _reread;
    private readonly TimeProvider _time;
    private readonly string _silo;
    private readonly string _group;
    private readonly string _stream;

    /// <param name="checkpointWrite">The checkpoint put of (state, ETag it must replace, its new ETag).</param>
    /// <param name="reread">Reads the stored checkpoint and its ETag again (after another activation moved on).</param>
    public ExactlyOnceCommitter(
        TransactionalWriter writer,
        StreamCheckpoint state,
        string? etag,
        Func<StreamCheckpoint, string?, string, TransactWriteItem> checkpointWrite,
        Func<CancellationToken, Task<(StreamCheckpoint State, string? ETag)>> reread,
        TimeProvider time,
        string silo,
        string group,
        string stream)
    {
        _writer = writer;
        State = state;
        ETag = etag;
        _checkpointWrite = checkpointWrite;
        _reread = reread;
        _time = time;
        _silo = silo;
        _group = group;
        _stream = stream;
    }

    /// <summary>The checkpoint as last committed (or read).</summary>
    public StreamCheckpoint State { get; private set; }

    public string? ETag { get; private set; }

    /// <summary>Entries already in the dead-letter stream that the next commit counts.</summary>
    public long PendingDeadLettered { get; set; }

    /// <summary>
    /// At or below the checkpoint: committed before. Claimed entries are the exception (written again, at least
    /// once): they come from another consumer's pending list, so they may predate what this queue committed.
    /// </summary>
    public bool IsCommitted(StreamEntry entry) =>
        !entry.Claimed
        && StreamEntryId.TryParse(entry.Id, out var id)
        && StreamEntryId.TryParse(State.Position, out var at)
        && id <= at;

    /// <summary>
    /// Commits <paramref name="items"/> (in stream order) and moves the checkpoint to <paramref name="advanceTo"/>
    /// (null: leave the position, because entries of the read are not finished). Returns early, with the rest in
    /// <see cref="CommitReport.Remaining"/>, when DynamoDB refuses an item (it must be dead-lettered before the
    /// checkpoint passes it) or trouble outlasts the retries (the caller pauses and calls again).
    /// </summary>
    public async Task<CommitReport> CommitAsync(IReadOnlyList<WriteItem> items, string? advanceTo, CancellationToken ct)
    {
        var report = new CommitReport();
        var resolved = new HashSet<WriteItem>(ReferenceEqualityComparer.Instance);
        var chunks = new LinkedList<List<WriteItem>>(Chunks(items));
        if (chunks.Count == 0)
        {
            chunks.AddLast([]); // the checkpoint alone: dead letters counted, the position moved
        }

        while (chunks.First is { } node)
        {
            chunks.RemoveFirst();
            var chunk = node.Value;
            var position = advanceTo is null ? null : chunks.Count == 0 || chunk.Count == 0 ? advanceTo : chunk[^1].Entry.Id;
            var skipped = new List<WriteItem>();
            while (true)
            {
                // What the checkpoint (as last read) covers was committed by another activation: acknowledge it only.
                report.AlreadyCommitted += chunk.RemoveAll(i => IsCommitted(i.Entry) && MarkAlready(i, report, resolved))
                    + skipped.RemoveAll(i => IsCommitted(i.Entry) && MarkAlready(i, report, resolved));
                if (Next(position, chunk, skipped.Count) is not { } next)
                {
                    break; // nothing to record
                }

                // The new ETag doubles as the request token: every attempt of this commit is the same request.
                var etag = DynamoDbGrainStorage.NewETag();
                // The grain's scheduler, not the thread pool: _reread reads grain state, which Orleans refuses off it
                // ("Activation access violation"), and the grain reads State between calls.
                var result = await _writer.CommitAsync(chunk, _checkpointWrite(next, ETag, etag), etag, ct).ConfigureAwait(true);
                if (result.Status == TransactionStatus.CheckpointConflict)
                {
                    var (stored, storedETag) = await _reread(ct).ConfigureAwait(true);
                    if (string.Equals(storedETag, etag, StringComparison.Ordinal))
                    {
                        result = TransactionResult.Committed; // an attempt whose reply was lost had committed
                    }
                    else
                    {
                        // Another activation moved on: the rest is tried again on top of what it committed.
                        State = stored;
                        ETag = storedETag;
                        continue;
                    }
                }

                switch (result.Status)
                {
                    case TransactionStatus.Committed:
                        State = next;
                        ETag = etag;
                        PendingDeadLettered = 0;
                        foreach (var item in chunk)
                        {
                            if (item.Operation == WriteOperation.Delete)
                            {
                                report.Deleted++;
                            }
                            else
                            {
                                report.Written.Add(item.Entry);
                            }

                            report.Done.Add(item.Entry.Id);
                            resolved.Add(item);
                        }

                        foreach (var item in skipped)
                        {
                            report.Done.Add(item.Entry.Id);
                            resolved.Add(item);
                        }

                        report.Skipped += skipped.Count;
                        break;

                    case TransactionStatus.Refused:
                        var refused = result.Refused!.Select(r => (Item: chunk[r.Index], r.Outcome)).ToList();
                        foreach (var (item, outcome) in refused)
                        {
                            chunk.Remove(item);
                            if (outcome.Status == WriteStatus.Skipped)
                            {
                                skipped.Add(item);
                            }
                            else
                            {
                                report.Rejected.Add(Rejection(item, outcome.ErrorKind, outcome.Error));
                                resolved.Add(item);
                            }
                        }

                        if (report.Rejected.Count > 0)
                        {
                            return Stop(report, items, resolved, error: null);
                        }

                        continue;

                    case TransactionStatus.Invalid when chunk.Count > 1:
                        // The request as a whole: one item at a time finds the one DynamoDB refuses.
                        for (var i = chunk.Count - 1; i >= 0; i--)
                        {
                            chunks.AddFirst([chunk[i]]);
                        }

                        chunk = [];
                        position = null;
                        if (skipped.Count > 0)
                        {
                            continue; // record the skipped ones, the position unchanged
                        }

                        break;

                    case TransactionStatus.Invalid when chunk.Count == 1:
                        report.Rejected.Add(Rejection(chunk[0], EntryErrorKind.ValidationRejected, result.Error));
                        resolved.Add(chunk[0]);
                        return Stop(report, items, resolved, error: null);

                    default:
                        return Stop(report, items, resolved, result.Error ?? "the transaction failed");
                }

                break;
            }
        }

        return report;
    }

    private static bool MarkAlready(WriteItem item, CommitReport report, HashSet<WriteItem> resolved)
    {
        report.Done.Add(item.Entry.Id);
        resolved.Add(item);
        return true;
    }

    private static DeadLetter Rejection(WriteItem item, EntryErrorKind? kind, string? error) =>
        new(item.Entry, (kind ?? EntryErrorKind.ValidationRejected).ToWireName(), error ?? "refused by DynamoDB");

    private static CommitReport Stop(CommitReport report, IReadOnlyList<WriteItem> items, HashSet<WriteItem> resolved, string? error)
    {
        report.Remaining.AddRange(items.Where(i => !resolved.Contains(i)));
        report.Error = error;
        return report;
    }

    /// <summary>The checkpoint after a commit of <paramref name="chunk"/> and <paramref name="skipped"/> entries; null when nothing changes.</summary>
    private StreamCheckpoint? Next(string? position, List<WriteItem> chunk, int skipped)
    {
        var deleted = chunk.Count(i => i.Operation == WriteOperation.Delete);
        var written = chunk.Count - deleted;
        var moved = position is not null && StreamEntryId.TryParse(position, out var to)
            && (!StreamEntryId.TryParse(State.Position, out var at) || to > at);
        if (!moved && chunk.Count == 0 && skipped == 0 && PendingDeadLettered == 0)
        {
            return null;
        }

        return new StreamCheckpoint
        {
            Group = _group,
            Stream = _stream,
            Position = moved ? position! : State.Position,
            Written = State.Written + written,
            Skipped = State.Skipped + skipped,
            Deleted = State.Deleted + deleted,
            DeadLettered = State.DeadLettered + PendingDeadLettered,
            UpdatedAt = _time.GetUtcNow(),
            UpdatedBy = _silo,
        };
    }

    /// <summary>Transactions of at most 99 items and 4 MB, cut before a key the transaction already holds.</summary>
    private static IEnumerable<List<WriteItem>> Chunks(IReadOnlyList<WriteItem> items)
    {
        var chunk = new List<WriteItem>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var item in items)
        {
            if (chunk.Count > 0 && (chunk.Count == TransactionalWriter.MaxActions - 1
                || bytes + item.SizeBytes > TransactionalWriter.MaxBytes - CheckpointAllowance
                || keys.Contains(item.KeyText)))
            {
                yield return chunk;
                chunk = [];
                keys.Clear();
                bytes = 0;
            }

            chunk.Add(item);
            keys.Add(item.KeyText);
            bytes += item.SizeBytes;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}

/// <summary>What one <see cref="ExactlyOnceCommitter.CommitAsync"/> did.</summary>
internal sealed class CommitReport
{
    /// <summary>Entries whose puts committed.</summary>
    public List<StreamEntry> Written { get; } = [];

    /// <summary>Entries whose deletes committed.</summary>
    public int Deleted { get; set; }

    /// <summary>Entries to acknowledge: written, deleted, skipped by the policy, or committed before.</summary>
    public List<string> Done { get; } = [];

    public int Skipped { get; set; }

    /// <summary>Entries another activation (or an earlier delivery) had committed: acknowledged, not counted again.</summary>
    public int AlreadyCommitted { get; set; }

    /// <summary>Items DynamoDB refused: the caller dead-letters them before committing the rest.</summary>
    public List<DeadLetter> Rejected { get; } = [];

    /// <summary>Items not committed yet, in stream order.</summary>
    public List<WriteItem> Remaining { get; } = [];

    /// <summary>Why it stopped before the end, when trouble outlasted the retries.</summary>
    public string? Error { get; set; }
}
