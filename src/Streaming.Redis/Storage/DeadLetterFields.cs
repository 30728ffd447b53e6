namespace DynamoWriter.Streaming.Redis.Storage;

/// <summary>The fields DynamoWriter adds to a dead-letter entry, after the original fields (in this order).</summary>
public static class DeadLetterFields
{
    public const string Prefix = "dw:";
    public const string SourceStream = "dw:source-stream";
    public const string SourceId = "dw:source-id";
    public const string ErrorKind = "dw:error-kind";
    public const string Error = "dw:error";
    public const string DeliveryCount = "dw:delivery-count";
    public const string Time = "dw:time";
    internal const int Count = 6;
}

/// <summary>The dead-letter stream cannot take entries (its key holds another type); the entries stay pending.</summary>
public sealed class DeadLetterStreamException(string message) : Exception(message);
