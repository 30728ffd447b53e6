namespace DynamoWriter.Streaming.Redis.Storage;

/// <summary>The fields DynamoWriter adds to a dead-letter entry, after the original fields (in this order).</summary>
public static class DeadLetterFields
{
    public const string SourceStream = "dw:source-stream";
    public const string SourceId = "dw:source-id";
    public const string ErrorKind = "dw:error-kind";
    public const string Error = "dw:error";
    public const string DeliveryCount = "dw:delivery-count";
    public const string Time = "dw:time";
    internal const int Count = 6;

    private static readonly HashSet<string> Added = new([SourceStream, SourceId, ErrorKind, Error, DeliveryCount, Time], StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="field"/> is one DynamoWriter added when dead-lettering. Only these: other
    /// <c>dw:</c> fields (the operation field <c>dw:op</c>) belong to the entry and go back with it on replay.
    /// </summary>
    public static bool IsAdded(string field) => Added.Contains(field);
}

/// <summary>The dead-letter stream cannot take entries (its key holds another type); the entries stay pending.</summary>
public sealed class DeadLetterStreamException(string message) : Exception(message);
