using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Grains.Writer.ExactlyOnce;
using DynamoWriter.Streaming.Redis.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DynamoWriter.Grains.Writer;

/// <summary>
/// One read with <c>sc.dynamoDB.exactlyOnce</c>: entries at or below the checkpoint were committed before and are
/// only acknowledged; bad entries go to the dead-letter stream first (so the checkpoint never passes an entry that
/// is nowhere); the items then commit in transactions that carry the checkpoint, and are acknowledged after.
/// </summary>
internal sealed partial class StreamWriterGrain
{
    private ExactlyOnceCommitter? _committer;

    private async Task ProcessExactlyOnceAsync(IReadOnlyList<StreamEntry> entries, TableWriter target, CancellationToken abandon)
    {
        var committer = _committer ??= CreateCommitter(target.Transactions!);
        var fresh = new List<StreamEntry>(entries.Count);
        List<string>? committed = null;
        StreamEntryId? last = null;
        foreach (var entry in entries)
        {
            if (StreamEntryId.TryParse(entry.Id, out var id) && (last is null || id > last.Value))
            {
                last = id;
            }

            if (committer.IsCommitted(entry))
            {
                (committed ??= []).Add(entry.Id);
            }
            else
            {
                fresh.Add(entry);
            }
        }

        if (committed is not null)
        {
            WriterLog.AlreadyCommitted(_logger, _stream, committed.Count, committer.State.Position);
            await AcknowledgeAsync(committed, abandon).ConfigureAwait(true);
        }

        var dead = TakeOverDelivered(fresh, out var deliverable);
        var items = Map(deliverable, target.Schema, ref dead);
        var advanceTo = last?.ToString();
        if (dead is not null && !await DeadLetterBeforeCommitAsync(committer, dead, abandon).ConfigureAwait(true))
        {
            advanceTo = null;
        }

        var attempt = 0;
        while (true)
        {
            var report = await committer.CommitAsync(items, advanceTo, abandon).ConfigureAwait(true);
            _checkpoint.State = committer.State;
            if (report.Done.Count > 0)
            {
                await AcknowledgeAsync(report.Done, abandon).ConfigureAwait(true);
            }

            Record(report.Written, report.Skipped, report.Deleted);
            if (report.AlreadyCommitted > 0)
            {
                WriterLog.AlreadyCommitted(_logger, _stream, report.AlreadyCommitted, committer.State.Position);
            }

            if (report.Rejected.Count > 0 && !await DeadLetterBeforeCommitAsync(committer, report.Rejected, abandon).ConfigureAwait(true))
            {
                advanceTo = null;
            }

            items = report.Remaining;
            if (report.Error is not null)
            {
                await PauseAsync(items.Count, attempt++, abandon).ConfigureAwait(true);
            }
            else if (report.Rejected.Count == 0)
            {
                break; // a read that had refused items commits once more: the rest, the dead-letter count, the position
            }
        }

        if (attempt > 0)
        {
            LeavePause(attempt);
        }
    }

    private async Task AcknowledgeAsync(List<string> ids, CancellationToken abandon)
    {
        await _ctx.Acknowledger.AcknowledgeAsync(_stream, ids, abandon).ConfigureAwait(true);
        _recent.Add(ids);
        _acknowledged += ids.Count;
    }

    /// <summary>
    /// Dead-letters durably before a commit can move the checkpoint past the entries; the next commit counts them.
    /// A dead-letter key of another type keeps them pending, and the checkpoint before them.
    /// </summary>
    private async Task<bool> DeadLetterBeforeCommitAsync(ExactlyOnceCommitter committer, List<DeadLetter> dead, CancellationToken abandon)
    {
        try
        {
            await DeadLetterAsync(dead, abandon).ConfigureAwait(true);
        }
        catch (DeadLetterStreamException ex)
        {
            WriterLog.CheckpointHeldByDeadLetters(_logger, ex, _stream);
            return false;
        }

        committer.PendingDeadLettered += _sinceCheckpoint.DeadLettered;
        _sinceCheckpoint = default;
        return true;
    }

    private ExactlyOnceCommitter CreateCommitter(TransactionalWriter transactions)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageName) as DynamoDbGrainStorage
            ?? throw new InvalidOperationException($"sc.dynamoDB.exactlyOnce needs the DynamoDB grain storage as '{StorageName}'");
        var grainId = this.GetGrainId();
        return new ExactlyOnceCommitter(
            transactions,
            _checkpoint.State,
            _checkpoint.Etag,
            (state, expected, etag) => storage.TransactionalWrite(StateName, grainId, state, expected, etag),
            async ct =>
            {
                await _checkpoint.ReadStateAsync(ct).ConfigureAwait(true);
                return (_checkpoint.State, _checkpoint.Etag);
            },
            _ctx.Time,
            _ctx.SiloName,
            _ctx.Options.Stream.Group,
            _stream);
    }
}
