using Microsoft.Extensions.Logging;

namespace DynamoWriter.Grains.Storage;

/// <summary>Log lines of the DynamoDB grain storage. Event ids are stable once shipped.</summary>
internal static partial class DynamoDbStorageLog
{
    [LoggerMessage(1080, LogLevel.Information, "Grain state table {Table} did not exist; created it (on-demand billing)")]
    public static partial void TableCreated(ILogger logger, string table);

    [LoggerMessage(1081, LogLevel.Information, "Grain state table {Table} is being created by someone else; waiting until it is ACTIVE")]
    public static partial void TableCreatedElsewhere(ILogger logger, string table);

    [LoggerMessage(1082, LogLevel.Warning, "Grain storage {Storage}: DynamoDB {Operation} on {Key} failed (attempt {Attempt} of {MaxAttempts}), retrying in {DelayMs} ms")]
    public static partial void TransientFailure(ILogger logger, Exception exception, string storage, string operation, string key, int attempt, int maxAttempts, long delayMs);

    [LoggerMessage(1083, LogLevel.Debug, "Grain storage {Storage}: {Operation} on {Key} lost the ETag check (expected {Expected}, stored {Stored}): another activation moved on")]
    public static partial void ETagConflict(ILogger logger, string storage, string operation, string key, string? expected, string? stored);

    [LoggerMessage(1084, LogLevel.Error, "Grain storage {Storage}: DynamoDB {Operation} on {Key} failed")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string storage, string operation, string key);

    [LoggerMessage(1085, LogLevel.Debug, "Grain storage {Storage}: table {Table} is ACTIVE")]
    public static partial void TableReady(ILogger logger, string storage, string table);

    [LoggerMessage(1086, LogLevel.Information, "Grain storage {Storage}: {Operation} on {Key} succeeded by an earlier attempt whose answer was lost")]
    public static partial void EarlierAttemptApplied(ILogger logger, string storage, string operation, string key);
}
