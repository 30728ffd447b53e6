using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.DynamoDb;
using Backoff = DynamoWriter.Resilience.Backoff;
using DynamoWriter.Streaming.Redis.Storage;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Writer;

/// <summary>One read of the stream: map, write with the policy, acknowledge what is durable, dead-letter the rest.</summary>
internal sealed partial class StreamWriterGrain
{
    private static readonly TimeSpan DeadLetterRetryCap = TimeSpan.FromSeconds(5);
    private long _written;
    private long _skipped;
    private long _deleted;
    private long _deadLettered;
    private long _acknowledged;
    private bool _paused;

    private async Task ProcessAsync(IReadOnlyList<StreamEntry> delivered)
    {
        var abandon = _ctx.Shutdown.Abandon;
        var entries = _recent.Unfinished(delivered);
        if (entries.Count < delivered.Count)
        {
            WriterLog.AlreadyFinished(_logger, _stream, delivered.Count - entries.Count);
        }

        if (entries.Count == 0)
        {
            return;
        }

        try
        {
            var target = await TableWriterAsync(abandon).ConfigureAwait(true);
            if (target.Transactions is not null)
            {
                await ProcessExactlyOnceAsync(entries, target, abandon).ConfigureAwait(true);
                return;
            }

            var dead = TakeOverDelivered(entries, out var deliverable);
            var items = Map(deliverable, target.Schema, ref dead);
            var (done, written, skipped, deleted, rejected) = await WriteAsync(target.Writer, items, abandon).ConfigureAwait(true);
            if (rejected is not null)
            {
                (dead ??= []).AddRange(rejected);
            }

            // Persisted entries are acknowledged first, so a dead-letter stream that cannot take entries (its
            // key holds another type) holds back only the bad entries, not the whole read.
            if (done.Count > 0)
            {
                await _ctx.Acknowledger.AcknowledgeAsync(_stream, done, abandon).ConfigureAwait(true);
                _recent.Add(done);
                _acknowledged += done.Count;
            }

            Record(written, skipped, deleted);
            if (dead is not null)
            {
                await DeadLetterAsync(dead, abandon).ConfigureAwait(true);
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            // The shutdown deadline: what is not acknowledged stays pending and is read again later.
            WriterLog.Abandoned(_logger, _stream, entries.Count);
        }
        catch (Exception ex)
        {
            // Not acknowledged, so nothing is lost: the entries stay pending and the provider reads them again.
            WriterLog.BatchFailed(_logger, ex, _stream);
        }
    }

    /// <summary>The items of the entries that map; the others join <paramref name="dead"/>.</summary>
    private List<WriteItem> Map(List<StreamEntry> entries, TableKeySchema schema, ref List<DeadLetter>? dead)
    {
        var items = new List<WriteItem>(entries.Count);
        foreach (var entry in entries)
        {
            var mapped = _ctx.Mapper.Map(entry, schema);
            if (mapped.IsSuccess)
            {
                items.Add(mapped.Item!);
            }
            else
            {
                (dead ??= []).Add(new DeadLetter(entry, mapped.ErrorKind!.Value.ToWireName(), mapped.Error ?? "mapping failed"));
            }
        }

        return items;
    }

    /// <summary>The table's writer; a DescribeTable that fails transiently pauses like a failed write.</summary>
    private async Task<TableWriter> TableWriterAsync(CancellationToken abandon)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var writer = await _ctx.Tables.ForStreamAsync(_stream, abandon).ConfigureAwait(true);
                if (attempt > 0)
                {
                    LeavePause(attempt);
                }

                return writer;
            }
            catch (Exception ex) when (DynamoErrorClassifier.IsTransient(ex) && !abandon.IsCancellationRequested)
            {
                await PauseAsync(0, attempt, abandon).ConfigureAwait(true);
            }
        }
    }

    /// <summary>
    /// Writes until every item is written, deleted, skipped or rejected. Transient trouble (throttling, 5xx,
    /// connection refused) never dead-letters: the read is held and retried with backoff until DynamoDB is
    /// back, and holding it is what stops reading (the provider's cache fills and the pulling agent waits).
    /// </summary>
    private async Task<(List<string> Done, List<StreamEntry> Written, int Skipped, int Deleted, List<DeadLetter>? Rejected)> WriteAsync(
        IItemWriter writer, List<WriteItem> items, CancellationToken abandon)
    {
        var done = new List<string>(items.Count);
        var written = new List<StreamEntry>(items.Count);
        List<DeadLetter>? rejected = null;
        var skipped = 0;
        var deleted = 0;
        var attempt = 0;
        while (items.Count > 0)
        {
            var outcomes = await writer.WriteAsync(items, abandon).ConfigureAwait(true);
            List<WriteItem>? failed = null;
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var outcome = outcomes[i];
                switch (outcome.Status)
                {
                    case WriteStatus.Written:
                        done.Add(item.Entry.Id);
                        written.Add(item.Entry);
                        break;
                    case WriteStatus.Skipped:
                        done.Add(item.Entry.Id);
                        skipped++;
                        break;
                    case WriteStatus.Deleted:
                        done.Add(item.Entry.Id);
                        deleted++;
                        break;
                    case WriteStatus.Rejected:
                        (rejected ??= []).Add(new DeadLetter(item.Entry, (outcome.ErrorKind ?? EntryErrorKind.ValidationRejected).ToWireName(), outcome.Error ?? "rejected by DynamoDB"));
                        break;
                    default:
                        (failed ??= []).Add(item);
                        break;
                }
            }

            if (failed is null)
            {
                break;
            }

            await PauseAsync(failed.Count, attempt++, abandon).ConfigureAwait(true);
            items = failed;
        }

        if (attempt > 0)
        {
            LeavePause(attempt);
        }

        return (done, written, skipped, deleted, rejected);
    }

    private async Task PauseAsync(int waiting, int attempt, CancellationToken abandon)
    {
        if (!_paused)
        {
            _paused = true;
            _ctx.Metrics.PartitionsPaused.Add(1, StreamTag);
        }

        var delay = Backoff.FullJitter(attempt, _ctx.Options.DynamoDB.RetryWaitMax, TimeSpan.FromMilliseconds(200));
        WriterLog.PartitionPaused(_logger, _stream, waiting, attempt + 1, (long)delay.TotalMilliseconds);
        await Task.Delay(delay, _ctx.Time, abandon).ConfigureAwait(true);
    }

    private void LeavePause(int attempts)
    {
        if (!_paused)
        {
            return;
        }

        _paused = false;
        _ctx.Metrics.PartitionsPaused.Add(-1, StreamTag);
        if (attempts > 0)
        {
            WriterLog.PartitionResumed(_logger, _stream, attempts);
        }
    }

    /// <summary>Splits off entries delivered more than maxDeliveries times; they are dead-lettered, not written.</summary>
    private List<DeadLetter>? TakeOverDelivered(IReadOnlyList<StreamEntry> entries, out List<StreamEntry> deliverable)
    {
        var max = _ctx.Options.Stream.MaxDeliveries;
        List<DeadLetter>? dead = null;
        deliverable = new List<StreamEntry>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.DeliveryCount > max)
            {
                (dead ??= []).Add(new DeadLetter(entry, EntryErrorKind.TooManyDeliveries.ToWireName(),
                    $"delivered {entry.DeliveryCount} times, more than sc.stream.maxDeliveries ({max})"));
            }
            else
            {
                deliverable.Add(entry);
            }
        }

        return dead;
    }

    private async Task DeadLetterAsync(List<DeadLetter> dead, CancellationToken abandon)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _ctx.Acknowledger.DeadLetterAsync(_stream, dead, abandon).ConfigureAwait(true);
                break;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                WriterLog.DeadLetterFailed(_logger, ex, _stream, dead.Count);
                await Task.Delay(Backoff.FullJitter(attempt, DeadLetterRetryCap), _ctx.Time, abandon).ConfigureAwait(true);
            }
        }

        _recent.Add(dead.Select(d => d.Entry.Id));
        _deadLettered += dead.Count;
        _acknowledged += dead.Count;
        _sinceCheckpoint.DeadLettered += dead.Count;
    }

    private void Record(List<StreamEntry> written, int skipped, int deleted)
    {
        if (written.Count > 0)
        {
            _ctx.Metrics.EntriesWritten.Add(written.Count, StreamTag);
            _ctx.Totals.AddWritten(written.Count);
            _written += written.Count;
            _sinceCheckpoint.Written += written.Count;
        }

        if (skipped > 0)
        {
            _ctx.Metrics.EntriesSkipped.Add(skipped, StreamTag);
            _ctx.Totals.AddSkipped(skipped);
            _skipped += skipped;
            _sinceCheckpoint.Skipped += skipped;
        }

        if (deleted > 0)
        {
            _ctx.Metrics.ItemsDeleted.Add(deleted, StreamTag);
            _ctx.Totals.AddDeleted(deleted);
            _deleted += deleted;
            _sinceCheckpoint.Deleted += deleted;
        }

        if (!_ctx.Metrics.EndToEndLatency.Enabled)
        {
            // Nobody listens (an embedding host without metrics): spare parsing every entry ID.
            return;
        }

        var now = _ctx.Time.GetUtcNow();
        foreach (var entry in written)
        {
            if (StreamEntryId.TryParse(entry.Id, out var id))
            {
                _ctx.Metrics.EndToEndLatency.Record(Math.Max(0, (now - id.Timestamp).TotalSeconds), StreamTag);
            }
        }
    }
}
