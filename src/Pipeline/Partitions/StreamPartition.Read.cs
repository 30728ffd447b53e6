using DynamoWriter.Redis;
using DynamoWriter.Resilience;

namespace DynamoWriter.Pipeline.Partitions;

internal sealed partial class StreamPartition
{
    private const string NewEntries = ">";
    private const string FromStart = "0";
    private static readonly TimeSpan ReadRetryCap = TimeSpan.FromSeconds(5);

    private async Task ReadLoopAsync(CancellationToken readToken, CancellationToken hardToken)
    {
        var options = _ctx.Options.Stream;
        await using var reader = _ctx.CreateReader();
        // Own pending entries first: what this consumer read before a crash or restart is finished
        // before anything new is taken.
        string? pendingCursor = FromStart;
        var groupReady = false;
        var failures = 0;
        try
        {
            while (!readToken.IsCancellationRequested)
            {
                try
                {
                    if (!groupReady)
                    {
                        _readerState = "ensuring group";
                        await EnsureGroupAsync(readToken).ConfigureAwait(false);
                        groupReady = true;
                    }

                    IReadOnlyList<StreamEntry> entries;
                    if (pendingCursor is not null)
                    {
                        _readerState = $"re-reading pending from {pendingCursor}";
                        entries = await reader.XReadGroupAsync(options.Group, _ctx.Consumer, [(Stream, pendingCursor)],
                            options.ReadCount, block: null, readToken).ConfigureAwait(false);
                        if (entries.Count == 0)
                        {
                            pendingCursor = null;
                            continue;
                        }

                        if (pendingCursor == FromStart)
                        {
                            Log.PendingReread(_ctx.Logger, Stream, entries.Count);
                        }

                        pendingCursor = entries[^1].Id;
                        _readerState = "asking delivery counts";
                        entries = await WithDeliveryCountsAsync(entries, readToken).ConfigureAwait(false);
                    }
                    else
                    {
                        _readerState = "reading new entries";
                        entries = await reader.XReadGroupAsync(options.Group, _ctx.Consumer, [(Stream, NewEntries)],
                            options.ReadCount, options.Block, readToken).ConfigureAwait(false);
                    }

                    failures = 0;
                    _readerState = $"handing over {entries.Count} entries";
                    await AcceptAsync(entries, readToken, hardToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (readToken.IsCancellationRequested)
                {
                    break;
                }
                catch (RedisServerException ex) when (ex.ErrorCode == "NOGROUP")
                {
                    // The group vanished (failover, FLUSHALL, someone deleted it): recreate it and
                    // re-read our pending list, which is empty in a new group, then go on.
                    Log.GroupMissing(_ctx.Logger, Stream, options.Group);
                    groupReady = false;
                    pendingCursor = FromStart;
                }
                catch (Exception ex) when (ex is RedisException or IOException or TimeoutException)
                {
                    var delay = Backoff.FullJitter(failures++, ReadRetryCap, TimeSpan.FromMilliseconds(100));
                    _readerState = "backing off after a failed read";
                    Log.ReadFailed(_ctx.Logger, ex, Stream, (long)delay.TotalMilliseconds);
                    await Task.Delay(delay, _ctx.Time, readToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (readToken.IsCancellationRequested)
        {
            // Stopping: entries already delivered but not yet in the channel stay pending for the next start.
        }
        finally
        {
            _readerState = "stopped";
        }
    }


    private async Task AcceptAsync(IReadOnlyList<StreamEntry> entries, CancellationToken readToken, CancellationToken hardToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        _ctx.Metrics.EntriesRead.Add(entries.Count, StreamTag);
        _ctx.Totals.AddRead(entries.Count);
        List<string>? deleted = null;
        foreach (var entry in entries)
        {
            if (entry.Fields.Count == 0)
            {
                // Deleted from the stream while pending: nothing to write, only the PEL entry to clear.
                (deleted ??= []).Add(entry.Id);
                continue;
            }

            await _entries.Writer.WriteAsync(entry, readToken).ConfigureAwait(false);
        }

        if (deleted is not null)
        {
            _ctx.Metrics.EntriesDeleted.Add(deleted.Count, StreamTag);
            await AcknowledgeAsync(deleted, hardToken).ConfigureAwait(false);
        }
    }
}
