namespace DynamoWriter.Options;

public sealed class DynamoDbOptions
{
    public const string DefaultRegion = "us-east-1";
    public const string DefaultTableName = "stream-consumer";
    public const int DefaultRetryMax = 5;
    public static readonly TimeSpan DefaultRetryWaitMax = TimeSpan.FromSeconds(10);
    public const int DefaultBatchSize = 25;
    public const int MaxBatchSize = 25;
    public static readonly TimeSpan DefaultFlushInterval = TimeSpan.FromMilliseconds(100);
    public const int DefaultMaxInFlight = 64;
    public const int DefaultSiloMaxInFlight = 64;
    public const string DefaultVersionAttribute = "_version";

    /// <summary>Empty for the AWS default; "localhost:8000" or "http://localhost:8000" for a local server.</summary>
    public string Endpoint { get; set; } = "";
    public string Region { get; set; } = DefaultRegion;
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>Per-stream table names; streams not listed use <see cref="TableName"/>.</summary>
    public Dictionary<string, string> Tables { get; set; } = new(StringComparer.Ordinal);

    public int RetryMax { get; set; } = DefaultRetryMax;
    public TimeSpan RetryWaitMax { get; set; } = DefaultRetryWaitMax;
    public int BatchSize { get; set; } = DefaultBatchSize;
    /// <summary>
    /// The longest a partial batch gathers entries while other batches of its partition are in flight. With
    /// none in flight a partial batch is written at once, so this bounds latency only under load.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = DefaultFlushInterval;

    /// <summary>Create missing tables with a <c>pk</c> string hash key (for local use).</summary>
    public bool CreateTable { get; set; }

    public WritePolicy WritePolicy { get; set; } = WritePolicy.Overwrite;

    /// <summary>Concurrent DynamoDB requests per partition.</summary>
    public int MaxInFlight { get; set; } = DefaultMaxInFlight;

    /// <summary>
    /// Concurrent DynamoDB write requests of the whole silo, over all its partitions; 0 leaves only
    /// <see cref="MaxInFlight"/>. Raise it on a silo with many cores whose requests wait long on the network.
    /// </summary>
    public int SiloMaxInFlight { get; set; } = DefaultSiloMaxInFlight;

    /// <summary>newer-wins: numeric entry field holding the version; empty means use the entry ID.</summary>
    public string VersionField { get; set; } = "";
    public string VersionAttribute { get; set; } = DefaultVersionAttribute;

    /// <summary>
    /// Each batch is one TransactWriteItems with the writer grain's checkpoint (conditional on its ETag), so a
    /// batch delivered again is recognised as written: no item is written twice and the totals are exact.
    /// </summary>
    public bool ExactlyOnce { get; set; }

    /// <summary>
    /// newer-wins: the attribute the version is stored in and compared with. With <see cref="VersionField"/> set
    /// and <see cref="VersionAttribute"/> left at its default, the version lives in that same attribute, so an
    /// item another writer stored with the field compares by its version.
    /// </summary>
    public string EffectiveVersionAttribute =>
        !string.IsNullOrEmpty(VersionAttribute) && VersionAttribute != DefaultVersionAttribute ? VersionAttribute
        : string.IsNullOrEmpty(VersionField) ? DefaultVersionAttribute
        : VersionField;

    public string TableFor(string stream) => Tables.TryGetValue(stream, out var t) && !string.IsNullOrEmpty(t) ? t : TableName;
}
