using Amazon.DynamoDBv2;

namespace DynamoWriter.Grains.Storage;

/// <summary>Options of one named <see cref="DynamoDbGrainStorage"/>; defaults are the named constants.</summary>
public sealed class DynamoDbGrainStorageOptions
{
    public const string DefaultTableName = "dynamowriter-grain-state";
    public const bool DefaultCreateTableIfMissing = true;
    public const bool DefaultDeleteStateOnClear = true;
    public const int DefaultMaxAttempts = 5;
    public const int DefaultInitStage = ServiceLifecycleStage.ApplicationServices;
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultTableActiveTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The one table every grain state of this storage lives in (hash key <c>pk</c>, S).</summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>Create the table (on-demand billing) when it does not exist; otherwise a missing table is an error.</summary>
    public bool CreateTableIfMissing { get; set; } = DefaultCreateTableIfMissing;

    /// <summary>ClearStateAsync deletes the item; when false it writes the default state instead.</summary>
    public bool DeleteStateOnClear { get; set; } = DefaultDeleteStateOnClear;

    /// <summary>
    /// The item key (<c>pk</c>) of a grain's state: (state name, grain id) → string. The default,
    /// <see cref="DefaultKeyFor"/>, ignores the state name: a grain with two states in one table needs its own.
    /// </summary>
    public Func<string, GrainId, string> KeyFor { get; set; } = DefaultKeyFor;

    /// <summary>The DynamoDB client; null resolves <see cref="IAmazonDynamoDB"/> from the container.</summary>
    public Func<IServiceProvider, IAmazonDynamoDB>? ClientFactory { get; set; }

    /// <summary>Attempts per DynamoDB call (the first try included) on throttling, 5xx and timeouts.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>Base of the full-jitter backoff between attempts.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = DefaultRetryBaseDelay;

    /// <summary>Ceiling of one wait between attempts.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = DefaultRetryMaxDelay;

    /// <summary>How long to wait for a table (created by us or someone else) to become ACTIVE.</summary>
    public TimeSpan TableActiveTimeout { get; set; } = DefaultTableActiveTimeout;

    /// <summary>Silo lifecycle stage at which the table is checked (and created).</summary>
    public int InitStage { get; set; } = DefaultInitStage;

    /// <summary><c>{grainId.Type}/{grainId.Key}</c>, e.g. <c>writer/orders-0</c>.</summary>
    public static string DefaultKeyFor(string stateName, GrainId grainId) => $"{grainId.Type}/{grainId.Key}";
}
