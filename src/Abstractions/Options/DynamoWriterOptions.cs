namespace DynamoWriter.Options;

/// <summary>The whole configuration, bound from the <c>sc</c> section.</summary>
public sealed class DynamoWriterOptions
{
    public const string SectionName = "sc";
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    public LogOptions Log { get; set; } = new();
    public StreamOptions Stream { get; set; } = new();
    public DynamoDbOptions DynamoDB { get; set; } = new();
    public MappingOptions Mapping { get; set; } = new();
    public HttpOptions Http { get; set; } = new();
    public CheckpointOptions Checkpoint { get; set; } = new();
    public OrleansOptions Orleans { get; set; } = new();

    /// <summary>How long a graceful stop may take before what is left stays pending in Redis.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    /// <summary>
    /// Copies every section into <paramref name="target"/> (sections are shared, not cloned): lets a host
    /// that built its options in code hand them to <c>AddDynamoWriter</c>, which configures its own instance.
    /// </summary>
    public void CopyTo(DynamoWriterOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Log = Log;
        target.Stream = Stream;
        target.DynamoDB = DynamoDB;
        target.Mapping = Mapping;
        target.Http = Http;
        target.Checkpoint = Checkpoint;
        target.Orleans = Orleans;
        target.ShutdownTimeout = ShutdownTimeout;
    }
}

public sealed class LogOptions
{
    public const string DefaultLevel = "info";
    public const string DefaultFormat = "text";

    /// <summary>debug, info, warn or error.</summary>
    public string Level { get; set; } = DefaultLevel;

    /// <summary>text or json.</summary>
    public string Format { get; set; } = DefaultFormat;
}

public sealed class HttpOptions
{
    public const int DefaultPort = 8080;

    /// <summary>Port for /metrics and health endpoints; 0 disables the listener.</summary>
    public int Port { get; set; } = DefaultPort;
}

public sealed class MappingOptions
{
    public const string DefaultPayloadField = "payload";
    public const string DefaultOperationField = "dw:op";

    /// <summary>The value of <see cref="OperationField"/> that makes an entry a delete.</summary>
    public const string DeleteOperation = "delete";

    public MappingFormat Format { get; set; } = MappingFormat.Fields;

    /// <summary>With <see cref="MappingFormat.Json"/>, the entry field that holds the JSON object.</summary>
    public string PayloadField { get; set; } = DefaultPayloadField;

    /// <summary>
    /// The entry field (in both formats) whose value <see cref="DeleteOperation"/> deletes the item with the
    /// entry's key; an entry without it is a put. Never written as an attribute. Empty turns deletes off.
    /// </summary>
    public string OperationField { get; set; } = DefaultOperationField;
}

public sealed class CheckpointOptions
{
    public const string DefaultTableName = "stream-consumer-checkpoints";
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    public string TableName { get; set; } = DefaultTableName;
    public TimeSpan Interval { get; set; } = DefaultInterval;
}
