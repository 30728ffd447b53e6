using DynamoWriter.Checkpoints;

namespace DynamoWriter.Grains.Writer;

/// <summary>
/// The checkpoint: every <c>sc.checkpoint.interval</c> and on deactivation, the group's persisted position
/// (from Redis, so every silo agrees) and the totals since the last write go into grain state, written with
/// the storage's ETag check. A failed check means another activation moved on: re-read, never overwrite.
/// </summary>
internal sealed partial class StreamWriterGrain
{
    private IGrainTimer? _checkpointTimer;
    private Task? _checkpointWrite;
    private Counts _sinceCheckpoint;

    private void StartCheckpointTimer()
    {
        var interval = _ctx.Options.Checkpoint.Interval;
        // Interleaved, so a read held for minutes by a DynamoDB outage still records what was done before it.
        _checkpointTimer = this.RegisterGrainTimer(
            _ => WriteCheckpointAsync(),
            new GrainTimerCreationOptions(interval, interval) { Interleave = true, KeepAlive = false });
    }

    private Task WriteCheckpointAsync()
    {
        // One write at a time: a timer tick and the final write on deactivation must not race on one ETag.
        if (_checkpointWrite is { IsCompleted: false } running)
        {
            return running;
        }

        return _checkpointWrite = WriteCheckpointCoreAsync();
    }

    private async Task WriteCheckpointCoreAsync()
    {
        try
        {
            var group = _ctx.Options.Stream.Group;
            var redis = await _ctx.Redis(CancellationToken.None).ConfigureAwait(true);
            var upTo = await GroupProgress.PersistedUpToAsync(redis, _stream, group).ConfigureAwait(true);
            var current = _checkpoint.State;
            var moved = upTo is { } id && (!StreamEntryId.TryParse(current.Position, out var stored) || id > stored);
            var counts = _sinceCheckpoint;
            if (!moved && counts.IsZero)
            {
                return;
            }

            var next = new StreamCheckpoint
            {
                Group = group,
                Stream = _stream,
                Position = moved ? upTo!.Value.ToString() : current.Position,
                Written = current.Written + counts.Written,
                Skipped = current.Skipped + counts.Skipped,
                Deleted = current.Deleted + counts.Deleted,
                DeadLettered = current.DeadLettered + counts.DeadLettered,
                UpdatedAt = _ctx.Time.GetUtcNow(),
                UpdatedBy = _ctx.SiloName,
            };
            _sinceCheckpoint = default;
            _checkpoint.State = next;
            try
            {
                await _checkpoint.WriteStateAsync().ConfigureAwait(true);
                WriterLog.CheckpointAdvanced(_logger, _stream, next.Position);
            }
            catch (Exception ex)
            {
                // Not recorded: keep the counts for the next attempt.
                _checkpoint.State = current;
                _sinceCheckpoint = _sinceCheckpoint.Add(counts);
                if (ex is Orleans.Storage.InconsistentStateException)
                {
                    WriterLog.CheckpointMovedOn(_logger, _stream);
                    await _checkpoint.ReadStateAsync().ConfigureAwait(true);
                    return;
                }

                throw;
            }
        }
        catch (Exception ex)
        {
            WriterLog.CheckpointFailed(_logger, ex, _stream);
        }
    }

    /// <summary>Entries finished since the checkpoint was last written.</summary>
    private struct Counts
    {
        public long Written;
        public long Skipped;
        public long Deleted;
        public long DeadLettered;

        public readonly bool IsZero => Written == 0 && Skipped == 0 && Deleted == 0 && DeadLettered == 0;

        public readonly Counts Add(Counts other) => new()
        {
            Written = Written + other.Written,
            Skipped = Skipped + other.Skipped,
            Deleted = Deleted + other.Deleted,
            DeadLettered = DeadLettered + other.DeadLettered,
        };
    }
}
