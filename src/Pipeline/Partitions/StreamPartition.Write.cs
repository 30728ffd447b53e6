using DynamoWriter.Diagnostics;
using DynamoWriter.DynamoDb;
using DynamoWriter.Pipeline.DeadLetters;
using DynamoWriter.Redis;
using DynamoWriter.Resilience;

namespace DynamoWriter.Pipeline.Partitions;

internal sealed partial class StreamPartition
{
    private static readonly TimeSpan AckRetryCap = TimeSpan.FromSeconds(5);
    private int _pausedBatches;
    private int _batchesInFlight;
    private TaskCompletionSource? _idle;

    private async Task WriteLoopAsync(CancellationToken hardToken)
    {
        var reader = _entries.Reader;
        var batchSize = _ctx.Options.DynamoDB.BatchSize;
        var flush = _ctx.Options.DynamoDB.FlushInterval;
        try
        {
            while (await reader.WaitToReadAsync(hardToken).ConfigureAwait(false))
            {
                var batch = new List<StreamEntry>(batchSize);
                var deadline = _ctx.Time.GetTimestamp() + (long)(flush.TotalSeconds * _ctx.Time.TimestampFrequency);
                while (batch.Count < batchSize)
                {
                    if (reader.TryRead(out var entry))
                    {
                        batch.Add(entry);
                        continue;
                    }

                    // Nothing more buffered. With no batch of this partition being written, lingering only
                    // adds latency: write what there is now. While batches are in flight, keep gathering
                    // until one of them finishes (group commit): batches grow with the load, so the request
                    // count stays bounded, and at a low rate an entry waits one write, not flushInterval.
                    var remaining = _ctx.Time.GetElapsedTime(_ctx.Time.GetTimestamp(), deadline);
                    if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(reader, remaining, hardToken).ConfigureAwait(false))
                    {
                        break;
                    }
                }

                await _batchSlots.WaitAsync(hardToken).ConfigureAwait(false);
                Interlocked.Increment(ref _batchesInFlight);
                _ = ProcessBatchAsync(batch, hardToken);
            }
        }
        catch (OperationCanceledException) when (hardToken.IsCancellationRequested)
        {
            // Shutdown deadline: unwritten entries stay pending in Redis.
        }

        // Every slot back means every batch has finished (or given up on the hard deadline).
        for (var i = 0; i < _maxBatches; i++)
        {
            await _batchSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for another entry while a batch of this partition is in flight;
    /// false when the channel is done, the time is up, or no batch is in flight (any more): time to write.
    /// </summary>
    private async Task<bool> WaitForMoreAsync(System.Threading.Channels.ChannelReader<StreamEntry> reader, TimeSpan timeout, CancellationToken hardToken)
    {
        if (Volatile.Read(ref _batchesInFlight) == 0)
        {
            return false;
        }

        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _idle, idle);
        if (Volatile.Read(ref _batchesInFlight) == 0)
        {
            // The last batch finished between the first check and publishing the signal.
            return false;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(hardToken);
        cts.CancelAfter(timeout);
        try
        {
            var more = reader.WaitToReadAsync(cts.Token).AsTask();
            if (await Task.WhenAny(more, idle.Task).ConfigureAwait(false) == idle.Task)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                return false;
            }

            return await more.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!hardToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Called as a batch finishes: the last one in flight wakes a writer gathering a partial batch.</summary>
    private void BatchFinished()
    {
        if (Interlocked.Decrement(ref _batchesInFlight) == 0)
        {
            Volatile.Read(ref _idle)?.TrySetResult();
        }
    }

    private async Task ProcessBatchAsync(List<StreamEntry> batch, CancellationToken hardToken)
    {
        try
        {
            await Task.Yield();
            var done = new List<string>(batch.Count);
            var written = new List<StreamEntry>(batch.Count);
            var dead = TakeOverDelivered(batch);
            var items = new List<WriteItem>(batch.Count);
            foreach (var entry in batch)
            {
                var mapped = _ctx.Mapper.Map(entry, _schema);
                if (mapped.IsSuccess)
                {
                    items.Add(mapped.Item!);
                }
                else
                {
                    (dead ??= []).Add(new DeadLetter(entry, mapped.ErrorKind!.Value, mapped.Error ?? "mapping failed"));
                }
            }

            var skipped = 0;
            var attempt = 0;
            while (items.Count > 0)
            {
                var outcomes = await _writer.WriteAsync(items, hardToken).ConfigureAwait(false);
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
                        case WriteStatus.Rejected:
                            (dead ??= []).Add(new DeadLetter(item.Entry, outcome.ErrorKind ?? EntryErrorKind.ValidationRejected, outcome.Error ?? "rejected by DynamoDB"));
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

                // Transient trouble (throttling, 5xx, connection refused) never dead-letters: hold the
                // batch and retry it until the backend is back. Holding the batch slot is what stops reading.
                // One pause per batch, however many retries: LeavePause below runs once.
                if (attempt == 0)
                {
                    EnterPause();
                }

                var delay = Backoff.FullJitter(attempt++, _ctx.Options.DynamoDB.RetryWaitMax, TimeSpan.FromMilliseconds(200));
                Log.PartitionPaused(_ctx.Logger, Stream, failed.Count, attempt, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _ctx.Time, hardToken).ConfigureAwait(false);
                items = failed;
            }

            if (attempt > 0)
            {
                LeavePause(attempt);
            }

            // Persisted entries are acknowledged first, so a dead-letter stream that cannot take entries
            // (its key holds another type) holds back only the bad entries, not the batch.
            await AcknowledgeAsync(done, hardToken).ConfigureAwait(false);
            Record(written.Count, skipped, written);
            CountForCheckpoint(written.Count, skipped, 0);
            if (dead is not null)
            {
                await DeadLetterAsync(dead, hardToken).ConfigureAwait(false);
                CountForCheckpoint(0, 0, dead.Count);
            }
        }
        catch (OperationCanceledException) when (hardToken.IsCancellationRequested)
        {
            // Abandoned at the shutdown deadline: the entries stay pending and are re-read on the next start.
        }
        catch (Exception ex)
        {
            Log.BatchFailed(_ctx.Logger, ex, Stream);
        }
        finally
        {
            BatchFinished();
            _batchSlots.Release();
        }
    }

    private void Record(int written, int skipped, List<StreamEntry> writtenEntries)
    {
        var tag = new KeyValuePair<string, object?>("stream", Stream);
        if (written > 0)
        {
            _ctx.Metrics.EntriesWritten.Add(written, tag);
            _ctx.Totals.AddWritten(written);
        }

        if (skipped > 0)
        {
            _ctx.Metrics.EntriesSkipped.Add(skipped, tag);
            _ctx.Totals.AddSkipped(skipped);
        }

        if (!_ctx.Metrics.EndToEndLatency.Enabled)
        {
            // Nobody listens (an embedding host without metrics): spare parsing every entry ID.
            return;
        }

        var now = _ctx.Time.GetUtcNow();
        foreach (var entry in writtenEntries)
        {
            if (StreamEntryId.TryParse(entry.Id, out var id))
            {
                _ctx.Metrics.EndToEndLatency.Record(Math.Max(0, (now - id.Timestamp).TotalSeconds), tag);
            }
        }
    }

    private void EnterPause()
    {
        if (Interlocked.Increment(ref _pausedBatches) == 1)
        {
            _ctx.Metrics.PartitionsPaused.Add(1, new KeyValuePair<string, object?>("stream", Stream));
        }
    }

    private void LeavePause(int attempts)
    {
        if (Interlocked.Decrement(ref _pausedBatches) == 0)
        {
            _ctx.Metrics.PartitionsPaused.Add(-1, new KeyValuePair<string, object?>("stream", Stream));
            Log.PartitionResumed(_ctx.Logger, Stream, attempts);
        }
    }

    private async Task DeadLetterAsync(List<DeadLetter> dead, CancellationToken hardToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _ctx.DeadLetters.WriteAsync(Stream, dead, hardToken).ConfigureAwait(false);
                _ctx.Totals.AddDeadLettered(dead.Count);
                _ctx.Totals.AddAcknowledged(dead.Count);
                _ctx.Metrics.EntriesAcknowledged.Add(dead.Count, new KeyValuePair<string, object?>("stream", Stream));
                return;
            }
            catch (Exception ex) when (ex is RedisException or IOException)
            {
                Log.DeadLetterFailed(_ctx.Logger, ex, Stream, dead.Count);
                await Task.Delay(Backoff.FullJitter(attempt, AckRetryCap), _ctx.Time, hardToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Acknowledges persisted (or deleted) entries; joined with other batches' IDs into one XACK when they finish together.</summary>
    private Task AcknowledgeAsync(List<string> ids, CancellationToken hardToken) => _acks.AcknowledgeAsync(ids, hardToken);

    /// <summary>
    /// XACK with retries: an entry is acknowledged only after it is persisted, and an acknowledgement
    /// lost to a dropped connection is retried, since otherwise the entry would be written again later.
    /// </summary>
    private async Task SendAcknowledgementAsync(List<string> ids, CancellationToken hardToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _ctx.Commands.XAckAsync(Stream, _ctx.Options.Stream.Group, ids, hardToken).ConfigureAwait(false);
                _ctx.Metrics.EntriesAcknowledged.Add(ids.Count, new KeyValuePair<string, object?>("stream", Stream));
                _ctx.Totals.AddAcknowledged(ids.Count);
                return;
            }
            catch (Exception ex) when (ex is RedisException or IOException)
            {
                Log.AckFailed(_ctx.Logger, ex, Stream, ids.Count);
                await Task.Delay(Backoff.FullJitter(attempt, AckRetryCap), _ctx.Time, hardToken).ConfigureAwait(false);
            }
        }
    }
}
