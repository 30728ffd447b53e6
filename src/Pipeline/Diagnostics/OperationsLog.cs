using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline.Diagnostics;

/// <summary>Log lines of the operations side (stream statistics); stable event ids 1100-1119.</summary>
internal static partial class OperationsLog
{
    [LoggerMessage(1100, LogLevel.Warning, "Stream statistics for the lag and pending gauges could not be read; retrying at the next interval")]
    public static partial void StatsFailed(ILogger logger, Exception exception);

    [LoggerMessage(1101, LogLevel.Information, "Stream statistics readable again")]
    public static partial void StatsRecovered(ILogger logger);
}
