using Microsoft.Extensions.Logging;

namespace DynamoWriter.Grains.Writer;

/// <summary>
/// The writer grains' log lines. Event ids are the old engine's for the same events: once shipped, an
/// event's id and name are part of the interface people alert on.
/// </summary>
internal static partial class WriterLog
{
    [LoggerMessage(1020, LogLevel.Warning, "Partition {Stream}: DynamoDB is not accepting writes ({FailedCount} entries waiting), paused; retry {Attempt} in {DelayMs} ms")]
    public static partial void PartitionPaused(ILogger logger, string stream, int failedCount, int attempt, long delayMs);

    [LoggerMessage(1021, LogLevel.Information, "Partition {Stream}: DynamoDB accepts writes again, resumed after {Attempts} retries")]
    public static partial void PartitionResumed(ILogger logger, string stream, int attempts);

    [LoggerMessage(1023, LogLevel.Error, "Partition {Stream}: batch processing failed unexpectedly; its entries stay pending and will be re-read")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1025, LogLevel.Debug, "Partition {Stream}: {Count} entries delivered again were already finished; not written twice")]
    public static partial void AlreadyFinished(ILogger logger, string stream, int count);

    [LoggerMessage(1026, LogLevel.Warning, "Partition {Stream}: the shutdown deadline came while {Count} entries were being written; they stay pending in Redis")]
    public static partial void Abandoned(ILogger logger, string stream, int count);

    [LoggerMessage(1031, LogLevel.Warning, "Dead-lettering {Count} entries of {Stream} failed, retrying")]
    public static partial void DeadLetterFailed(ILogger logger, Exception exception, string stream, int count);

    [LoggerMessage(1051, LogLevel.Warning, "Partition {Stream}: writing the checkpoint failed, retrying at the next interval")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1052, LogLevel.Debug, "Partition {Stream}: checkpoint advanced to {Checkpoint}")]
    public static partial void CheckpointAdvanced(ILogger logger, string stream, string checkpoint);

    [LoggerMessage(1053, LogLevel.Information, "Partition {Stream}: another activation wrote the checkpoint meanwhile (ETag changed); re-read it, nothing overwritten")]
    public static partial void CheckpointMovedOn(ILogger logger, string stream);

    [LoggerMessage(1054, LogLevel.Debug, "Partition {Stream}: writer activated on {Silo}, checkpoint {Checkpoint}")]
    public static partial void Activated(ILogger logger, string stream, string silo, string checkpoint);

    [LoggerMessage(1055, LogLevel.Information, "Partition {Stream}: {Count} entries delivered again were committed before (checkpoint {Checkpoint}); acknowledged, not written twice")]
    public static partial void AlreadyCommitted(ILogger logger, string stream, int count, string checkpoint);

    [LoggerMessage(1056, LogLevel.Warning, "Partition {Stream}: the dead-letter stream does not take entries; the checkpoint stays before them until it does")]
    public static partial void CheckpointHeldByDeadLetters(ILogger logger, Exception exception, string stream);
}
