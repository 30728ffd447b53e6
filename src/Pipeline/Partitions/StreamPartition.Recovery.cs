using DynamoWriter.Diagnostics;
using DynamoWriter.Pipeline.DeadLetters;
using DynamoWriter.Redis;
using DynamoWriter.Resilience;

namespace DynamoWriter.Pipeline.Partitions;

/// <summary>
/// Recovery: entries other consumers left pending (a crashed node's work) are claimed with XAUTOCLAIM
/// once idle long enough, and entries delivered too often go to the dead-letter stream instead of
/// looping forever.
/// </summary>
internal sealed partial class StreamPartition
{
    private const string ClaimStart = "0-0";
    private const int PendingLookupMax = 20_000;

    private async Task ClaimLoopAsync(CancellationToken readToken, CancellationToken hardToken)
    {
        var options = _ctx.Options.Stream;
        using var timer = new PeriodicTimer(options.ClaimInterval, _ctx.Time);
        var failures = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(readToken).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _pausedBatches) > 0)
                {
                    // Nothing can be written now; claiming would only re-take our own held entries.
                    continue;
                }

                try
                {
                    await ClaimIdleAsync(readToken, hardToken).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception ex) when (ex is RedisException or IOException or TimeoutException)
                {
                    Log.ClaimFailed(_ctx.Logger, ex, Stream);
                    await Task.Delay(Backoff.FullJitter(failures++, ReadRetryCap), _ctx.Time, readToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (readToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Claims every entry idle longer than claimMinIdle, in pages of readCount.</summary>
    internal async Task<int> ClaimIdleAsync(CancellationToken readToken, CancellationToken hardToken)
    {
        var options = _ctx.Options.Stream;
        var start = ClaimStart;
        var claimed = 0;
        do
        {
            var result = await _ctx.Commands.XAutoClaimAsync(Stream, options.Group, _ctx.Consumer, options.ClaimMinIdle, start,
                options.ReadCount, readToken).ConfigureAwait(false);
            if (result.DeletedIds.Count > 0)
            {
                _ctx.Metrics.EntriesDeleted.Add(result.DeletedIds.Count, StreamTag);
                await AcknowledgeAsync([.. result.DeletedIds], hardToken).ConfigureAwait(false);
            }

            if (result.Entries.Count > 0)
            {
                claimed += result.Entries.Count;
                _ctx.Metrics.EntriesClaimed.Add(result.Entries.Count, StreamTag);
                Log.Claimed(_ctx.Logger, Stream, result.Entries.Count);
                var counted = await WithDeliveryCountsAsync(result.Entries, readToken).ConfigureAwait(false);
                await AcceptAsync(counted, readToken, hardToken).ConfigureAwait(false);
            }

            start = result.NextStart;
        }
        while (start != ClaimStart && !readToken.IsCancellationRequested);
        return claimed;
    }

    /// <summary>
    /// Entries re-read from a pending list carry their delivery count (XPENDING), so that an entry that
    /// keeps failing, or keeps crashing whoever reads it, is dead-lettered after maxDeliveries.
    /// </summary>
    private async Task<IReadOnlyList<StreamEntry>> WithDeliveryCountsAsync(IReadOnlyList<StreamEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return entries;
        }

        // Our own in-flight entries can sit inside the same ID range, so ask for more than we hold.
        var infos = await _ctx.Commands.XPendingRangeAsync(Stream, _ctx.Options.Stream.Group, entries[0].Id, entries[^1].Id,
            Math.Min(PendingLookupMax, entries.Count * 4), _ctx.Consumer, minIdle: null, cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(infos.Count, StringComparer.Ordinal);
        foreach (var info in infos)
        {
            counts[info.Id] = info.DeliveryCount;
        }

        var result = new StreamEntry[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            result[i] = counts.TryGetValue(e.Id, out var n) ? e with { DeliveryCount = n } : e;
        }

        return result;
    }

    /// <summary>Splits off entries delivered more than maxDeliveries times; they are dead-lettered, not written.</summary>
    private List<DeadLetter>? TakeOverDelivered(List<StreamEntry> batch)
    {
        var max = _ctx.Options.Stream.MaxDeliveries;
        List<DeadLetter>? dead = null;
        for (var i = batch.Count - 1; i >= 0; i--)
        {
            var entry = batch[i];
            if (entry.DeliveryCount > max)
            {
                (dead ??= []).Add(new DeadLetter(entry, EntryErrorKind.TooManyDeliveries,
                    $"delivered {entry.DeliveryCount} times, more than sc.stream.maxDeliveries ({max})"));
                batch.RemoveAt(i);
            }
        }

        return dead;
    }

    private KeyValuePair<string, object?> StreamTag => new("stream", Stream);
}
