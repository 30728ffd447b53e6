using Microsoft.Extensions.Logging;

namespace DynamoWriter.Streaming.Redis;

/// <summary>
/// Every log line the provider writes. Event ids and names are those of the engine it replaces
/// (DynamoWriter.Pipeline.Log) for the same events: people alert on them.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1005, LogLevel.Warning, "Stream {Stream} is listed in the provider's streams but is the dead-letter stream of another listed stream; it is not consumed")]
    public static partial void DeadLetterStreamNotConsumed(ILogger logger, string stream);

    [LoggerMessage(1010, LogLevel.Information, "Partition {Stream}: consumer group {Group} created at {StartId}")]
    public static partial void GroupCreated(ILogger logger, string stream, string group, string startId);

    [LoggerMessage(1011, LogLevel.Information, "Partition {Stream}: re-reading {Count} entries this consumer left pending")]
    public static partial void PendingReread(ILogger logger, string stream, int count);

    [LoggerMessage(1012, LogLevel.Warning, "Partition {Stream}: Redis read failed, retrying in {DelayMs} ms")]
    public static partial void ReadFailed(ILogger logger, Exception exception, string stream, long delayMs);

    [LoggerMessage(1013, LogLevel.Warning, "Partition {Stream}: consumer group {Group} is missing, recreating it")]
    public static partial void GroupMissing(ILogger logger, string stream, string group);

    [LoggerMessage(1022, LogLevel.Warning, "Partition {Stream}: acknowledging {Count} entries failed, retrying")]
    public static partial void AckFailed(ILogger logger, Exception exception, string stream, int count);

    [LoggerMessage(1030, LogLevel.Error, "Entry {Stream}/{Id} dead-lettered to {DeadLetterStream}: {ErrorKind}: {Error}")]
    public static partial void DeadLettered(ILogger logger, string stream, string id, string deadLetterStream, string errorKind, string error);

    [LoggerMessage(1040, LogLevel.Information, "Partition {Stream}: claimed {Count} entries idle in other consumers' pending lists")]
    public static partial void Claimed(ILogger logger, string stream, int count);

    [LoggerMessage(1041, LogLevel.Warning, "Partition {Stream}: claiming idle entries failed, retrying")]
    public static partial void ClaimFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1050, LogLevel.Warning, "Partition {Stream}: consumer group {Group} was missing; recreated at checkpoint {Checkpoint}")]
    public static partial void GroupRecreatedAtCheckpoint(ILogger logger, string stream, string group, string checkpoint);

    [LoggerMessage(1060, LogLevel.Information, "Stream {Stream} matches {Pattern}: consuming it")]
    public static partial void StreamDiscovered(ILogger logger, string stream, string pattern);

    [LoggerMessage(1061, LogLevel.Warning, "Stream discovery failed, retrying")]
    public static partial void DiscoveryFailed(ILogger logger, Exception exception);

    // Events the old engine did not have (the pulling agent is new): ids in a range of their own.
    [LoggerMessage(1070, LogLevel.Warning, "Partition {Stream}: Orleans gave up delivering a batch (subscription {SubscriptionId}); its entries stay pending and the queue's consumer {Consumer} re-reads them")]
    public static partial void DeliveryFailed(ILogger logger, string stream, string subscriptionId, string consumer);

    [LoggerMessage(1071, LogLevel.Information, "Queue {Queue} started as consumer {Consumer} in group {Group}: {StreamCount} streams")]
    public static partial void ReceiverStarted(ILogger logger, string queue, string consumer, string group, int streamCount);

    [LoggerMessage(1072, LogLevel.Information, "Queue {Queue} (consumer {Consumer}) stopped")]
    public static partial void ReceiverStopped(ILogger logger, string queue, string consumer);

    [LoggerMessage(1073, LogLevel.Information, "Redis stream provider {Provider}: group {Group}, streams {Streams}, {Queues} queues, read count {ReadCount}, dead letters {DeadLetterStream}")]
    public static partial void ProviderStarting(ILogger logger, string provider, string group, string streams, int queues, int readCount, string deadLetterStream);

    [LoggerMessage(1077, LogLevel.Information, "Redis stream provider {Provider}: {Readers} silos read its queues; this silo reads {Count} of {Queues}: {Mine}")]
    public static partial void QueuesBalanced(ILogger logger, string provider, int readers, int count, int queues, string mine);

    [LoggerMessage(1078, LogLevel.Error, "Redis stream provider {Provider}: applying a new queue distribution failed; the next cluster change tries again")]
    public static partial void RebalanceFailed(ILogger logger, Exception exception, string provider);
}
