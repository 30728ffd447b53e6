using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline;

/// <summary>
/// Every log line the engine writes. Event ids are stable: once shipped, an event's id and name are part
/// of the interface people alert on.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "DynamoWriter starting: consumer {Consumer} in group {Group}, streams {Streams}, write policy {Policy}")]
    public static partial void EngineStarting(ILogger logger, string consumer, string group, string streams, WritePolicy policy);

    [LoggerMessage(1001, LogLevel.Information, "DynamoWriter stopping: reading stopped, finishing in-flight writes")]
    public static partial void EngineStopping(ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "DynamoWriter stopped: {Written} written, {Skipped} skipped, {DeadLettered} dead-lettered, {Acknowledged} acknowledged")]
    public static partial void EngineStopped(ILogger logger, long written, long skipped, long deadLettered, long acknowledged);

    [LoggerMessage(1003, LogLevel.Warning, "Shutdown timeout reached: what was not written stays pending in Redis for the next start")]
    public static partial void ShutdownTimedOut(ILogger logger);

    [LoggerMessage(1010, LogLevel.Information, "Partition {Stream}: consumer group {Group} created at {StartId}")]
    public static partial void GroupCreated(ILogger logger, string stream, string group, string startId);

    [LoggerMessage(1011, LogLevel.Information, "Partition {Stream}: re-reading {Count} entries this consumer left pending")]
    public static partial void PendingReread(ILogger logger, string stream, int count);

    [LoggerMessage(1012, LogLevel.Warning, "Partition {Stream}: Redis read failed, retrying in {DelayMs} ms")]
    public static partial void ReadFailed(ILogger logger, Exception exception, string stream, long delayMs);

    [LoggerMessage(1013, LogLevel.Warning, "Partition {Stream}: consumer group {Group} is missing, recreating it")]
    public static partial void GroupMissing(ILogger logger, string stream, string group);

    [LoggerMessage(1020, LogLevel.Warning, "Partition {Stream}: DynamoDB is not accepting writes ({FailedCount} entries waiting), paused; retry {Attempt} in {DelayMs} ms")]
    public static partial void PartitionPaused(ILogger logger, string stream, int failedCount, int attempt, long delayMs);

    [LoggerMessage(1021, LogLevel.Information, "Partition {Stream}: DynamoDB accepts writes again, resumed after {Attempts} retries")]
    public static partial void PartitionResumed(ILogger logger, string stream, int attempts);

    [LoggerMessage(1022, LogLevel.Warning, "Partition {Stream}: acknowledging {Count} entries failed, retrying")]
    public static partial void AckFailed(ILogger logger, Exception exception, string stream, int count);

    [LoggerMessage(1023, LogLevel.Error, "Partition {Stream}: batch processing failed unexpectedly; its entries stay pending and will be re-read")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1030, LogLevel.Error, "Entry {Stream}/{Id} dead-lettered to {DeadLetterStream}: {ErrorKind}: {Error}")]
    public static partial void DeadLettered(ILogger logger, string stream, string id, string deadLetterStream, string errorKind, string error);

    [LoggerMessage(1031, LogLevel.Warning, "Dead-lettering {Count} entries of {Stream} failed, retrying")]
    public static partial void DeadLetterFailed(ILogger logger, Exception exception, string stream, int count);

    [LoggerMessage(1040, LogLevel.Information, "Partition {Stream}: claimed {Count} entries idle in other consumers' pending lists")]
    public static partial void Claimed(ILogger logger, string stream, int count);

    [LoggerMessage(1041, LogLevel.Warning, "Partition {Stream}: claiming idle entries failed, retrying")]
    public static partial void ClaimFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1050, LogLevel.Warning, "Partition {Stream}: consumer group {Group} was missing; recreated at checkpoint {Checkpoint}")]
    public static partial void GroupRecreatedAtCheckpoint(ILogger logger, string stream, string group, string checkpoint);

    [LoggerMessage(1051, LogLevel.Warning, "Partition {Stream}: writing the checkpoint failed, retrying at the next interval")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1052, LogLevel.Debug, "Partition {Stream}: checkpoint advanced to {Checkpoint}")]
    public static partial void CheckpointAdvanced(ILogger logger, string stream, string checkpoint);

    [LoggerMessage(1032, LogLevel.Critical, "Entry {Stream}/{Id} was acknowledged but its dead-letter XADD to {DeadLetterStream} failed ({Error}); its fields: {Fields}")]
    public static partial void DeadLetterLost(ILogger logger, string stream, string id, string deadLetterStream, string error, string fields);

    [LoggerMessage(1060, LogLevel.Information, "Stream {Stream} matches {Pattern}: consuming it")]
    public static partial void StreamDiscovered(ILogger logger, string stream, string pattern);

    [LoggerMessage(1061, LogLevel.Warning, "Stream discovery failed, retrying")]
    public static partial void DiscoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(1062, LogLevel.Warning, "Heartbeat could not be written")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(1063, LogLevel.Information, "Stream {Stream}: removed {Count} consumers idle past sc.stream.consumerExpiry with nothing pending")]
    public static partial void ConsumersExpired(ILogger logger, string stream, long count);

    [LoggerMessage(1064, LogLevel.Information, "Stream {Stream}: trimmed {Count} entries below {MinId}, persisted by every group")]
    public static partial void Trimmed(ILogger logger, string stream, long count, string minId);

    [LoggerMessage(1065, LogLevel.Warning, "Stream {Stream}: maintenance (consumer expiry, trimming) failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1024, LogLevel.Critical, "Partition {Stream} stopped with an unexpected error; its entries stay pending for other nodes or the next start")]
    public static partial void PartitionFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1066, LogLevel.Debug, "Progress: {Read} read, {Written} written, {Acknowledged} acknowledged; {Partitions}")]
    public static partial void Progress(ILogger logger, long read, long written, long acknowledged, string partitions);

    [LoggerMessage(1004, LogLevel.Warning, "{Backend} did not answer at start-up; retrying in {DelayMs} ms")]
    public static partial void StartupRetry(ILogger logger, Exception exception, string backend, long delayMs);

    [LoggerMessage(1005, LogLevel.Warning, "Stream {Stream} is listed in sc.stream.streams but is the dead-letter stream of another listed stream; it is not consumed")]
    public static partial void DeadLetterStreamNotConsumed(ILogger logger, string stream);
}
