using Microsoft.Extensions.Logging;

namespace DynamoWriter.Grains.Operations;

/// <summary>
/// Log lines of the operations side. The event ids are those the engine used (1062-1066 heartbeats and
/// maintenance, 1100-1119 stream statistics): once shipped, an event's id and name are part of the interface.
/// </summary>
internal static partial class OperationsLog
{
    [LoggerMessage(1062, LogLevel.Warning, "Heartbeat could not be written")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(1063, LogLevel.Information, "Stream {Stream}: removed {Count} consumers idle past sc.stream.consumerExpiry with nothing pending")]
    public static partial void ConsumersExpired(ILogger logger, string stream, long count);

    [LoggerMessage(1064, LogLevel.Information, "Stream {Stream}: trimmed {Count} entries below {MinId}, persisted by every group")]
    public static partial void Trimmed(ILogger logger, string stream, long count, string minId);

    [LoggerMessage(1065, LogLevel.Warning, "Stream {Stream}: maintenance (consumer expiry, trimming) failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(1066, LogLevel.Debug, "Progress: {Read} read, {Written} written, {Acknowledged} acknowledged; {Partitions}")]
    public static partial void Progress(ILogger logger, long read, long written, long acknowledged, string partitions);

    [LoggerMessage(1100, LogLevel.Warning, "Stream statistics for the lag and pending gauges could not be read; retrying at the next interval")]
    public static partial void StatsFailed(ILogger logger, Exception exception);

    [LoggerMessage(1101, LogLevel.Information, "Stream statistics readable again")]
    public static partial void StatsRecovered(ILogger logger);
}
