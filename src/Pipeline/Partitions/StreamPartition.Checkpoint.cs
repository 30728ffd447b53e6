using DynamoWriter.Pipeline.Checkpoints;
using DynamoWriter.Redis;

namespace DynamoWriter.Pipeline.Partitions;

/// <summary>
/// Durable checkpoints: at most every checkpoint.interval, and once more on shutdown, the group's
/// persisted position goes to the checkpoint table; if the group is lost, it is recreated there.
/// </summary>
internal sealed partial class StreamPartition
{
    private long _writtenSinceCheckpoint;
    private long _skippedSinceCheckpoint;
    private long _deadLetteredSinceCheckpoint;

    private async Task CheckpointLoopAsync(CancellationToken readToken)
    {
        using var timer = new PeriodicTimer(_ctx.Options.Checkpoint.Interval, _ctx.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(readToken).ConfigureAwait(false))
            {
                await WriteCheckpointAsync(readToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (readToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes the group's persisted position; failures are logged and retried at the next tick.</summary>
    internal async Task WriteCheckpointAsync(CancellationToken cancellationToken)
    {
        if (_ctx.Checkpoints is null)
        {
            return;
        }

        try
        {
            var upTo = await GroupProgress.PersistedUpToAsync(_ctx.Commands, Stream, _ctx.Options.Stream.Group, cancellationToken).ConfigureAwait(false);
            if (upTo is not { } id)
            {
                return;
            }

            var w = Interlocked.Exchange(ref _writtenSinceCheckpoint, 0);
            var s = Interlocked.Exchange(ref _skippedSinceCheckpoint, 0);
            var d = Interlocked.Exchange(ref _deadLetteredSinceCheckpoint, 0);
            try
            {
                if (await _ctx.Checkpoints.AdvanceAsync(_ctx.Options.Stream.Group, Stream, id, _ctx.Consumer, w, s, d, _ctx.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                {
                    Log.CheckpointAdvanced(_ctx.Logger, Stream, id.ToString());
                }
            }
            catch
            {
                // Not recorded: keep the counts for the next attempt.
                Interlocked.Add(ref _writtenSinceCheckpoint, w);
                Interlocked.Add(ref _skippedSinceCheckpoint, s);
                Interlocked.Add(ref _deadLetteredSinceCheckpoint, d);
                throw;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Log.CheckpointFailed(_ctx.Logger, ex, Stream);
        }
    }

    /// <summary>
    /// Creates the group when it is missing: at the durable checkpoint when there is one (a Redis
    /// failover or flush lost the group, not the data in DynamoDB), else at 0 so nothing is skipped.
    /// </summary>
    private async Task EnsureGroupAsync(CancellationToken cancellationToken)
    {
        var group = _ctx.Options.Stream.Group;
        if (await GroupExistsAsync(group, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var start = FromStart;
        if (_ctx.Checkpoints is not null
            && await _ctx.Checkpoints.GetAsync(group, Stream, cancellationToken).ConfigureAwait(false) is { } checkpoint)
        {
            start = checkpoint.Id.ToString();
        }

        if (await _ctx.Commands.XGroupCreateAsync(Stream, group, start, mkStream: true, cancellationToken).ConfigureAwait(false))
        {
            if (start == FromStart)
            {
                Log.GroupCreated(_ctx.Logger, Stream, group, start);
            }
            else
            {
                Log.GroupRecreatedAtCheckpoint(_ctx.Logger, Stream, group, start);
            }
        }
    }

    private async Task<bool> GroupExistsAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            var groups = await _ctx.Commands.XInfoGroupsAsync(Stream, cancellationToken).ConfigureAwait(false);
            return groups.Any(g => string.Equals(g.Name, group, StringComparison.Ordinal));
        }
        catch (RedisServerException)
        {
            return false; // "no such key": the stream does not exist yet
        }
    }

    private void CountForCheckpoint(long written, long skipped, long deadLettered)
    {
        Interlocked.Add(ref _writtenSinceCheckpoint, written);
        Interlocked.Add(ref _skippedSinceCheckpoint, skipped);
        Interlocked.Add(ref _deadLetteredSinceCheckpoint, deadLettered);
    }
}
