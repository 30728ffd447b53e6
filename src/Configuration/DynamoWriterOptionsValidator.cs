using DynamoWriter.Options;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Configuration;

/// <summary>
/// Checks the bound options and reports every problem at once, with its key path, together with the
/// binder's conversion errors (Aspire's <c>ValidateDashboardOptions</c> does the same): a user with
/// three mistakes learns of all three from one start.
/// </summary>
public sealed class DynamoWriterOptionsValidator : IValidateOptions<DynamoWriterOptions>
{
    public const int MinReadCount = 1;
    public const int MaxReadCount = 100_000;
    public const int MaxMaxInFlight = 1024;
    public const int MaxSiloMaxInFlight = 16384;

    public const int MinQueues = 1;
    public const int MaxQueues = 1024;

    /// <summary>An idle queue polling less often than this would make new entries wait for no gain.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(10);

    private static readonly string[] Clusterings = [OrleansOptions.RedisClustering, OrleansOptions.LocalhostClustering, OrleansOptions.KubernetesClustering];

    private static readonly string[] LogLevels = ["debug", "info", "warn", "error"];
    private static readonly string[] LogFormats = ["text", "json"];

    private readonly OptionsBindingErrors? _bindingErrors;

    public DynamoWriterOptionsValidator(OptionsBindingErrors? bindingErrors = null)
    {
        _bindingErrors = bindingErrors;
    }

    public ValidateOptionsResult Validate(string? name, DynamoWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ConfigError>(_bindingErrors?.Errors ?? []);
        errors.AddRange(Collect(options));

        // One failure holding the whole formatted list, so OptionsValidationException.Message is the
        // start-up message itself rather than the failures joined with "; ".
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(ConfigurationException.Format(errors));
    }

    /// <summary>The semantic errors of <paramref name="options"/>, in schema order.</summary>
    public static IReadOnlyList<ConfigError> Collect(DynamoWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ConfigError>();
        void Add(string key, string message) => errors.Add(new ConfigError("sc." + key, message));

        var log = options.Log;
        if (!LogLevels.Contains(log.Level, StringComparer.OrdinalIgnoreCase))
        {
            Add("log.level", $"'{log.Level}' is not one of {string.Join(", ", LogLevels)}");
        }

        if (!LogFormats.Contains(log.Format, StringComparer.OrdinalIgnoreCase))
        {
            Add("log.format", $"'{log.Format}' is not one of {string.Join(", ", LogFormats)}");
        }

        ValidateStream(options.Stream, Add);
        ValidateDynamoDb(options.DynamoDB, Add);

        if (options.Mapping.Format == MappingFormat.Json && string.IsNullOrWhiteSpace(options.Mapping.PayloadField))
        {
            Add("mapping.payloadField", "must not be empty when mapping.format is json");
        }

        if (options.Mapping.Format == MappingFormat.Json
            && string.Equals(options.Mapping.OperationField, options.Mapping.PayloadField, StringComparison.Ordinal))
        {
            // One field cannot hold both the JSON object and the operation.
            Add("mapping.operationField", $"'{options.Mapping.OperationField}' is mapping.payloadField too (use another field, or empty to turn deletes off)");
        }

        TableName(options.Checkpoint.TableName, "checkpoint.tableName", "must not be empty", Add);

        Positive(options.Checkpoint.Interval, "checkpoint.interval", Add);

        if (options.Http.Port is < 0 or > 65535)
        {
            Add("http.port", $"{options.Http.Port} is out of range (0 to 65535; 0 disables the listener)");
        }

        ValidateOrleans(options.Orleans, options.Http.Port, Add);
        Positive(options.ShutdownTimeout, "shutdownTimeout", Add);
        return errors;
    }

    private static void ValidateOrleans(OrleansOptions orleans, int httpPort, Action<string, string> add)
    {
        if (!Clusterings.Contains(orleans.Clustering, StringComparer.OrdinalIgnoreCase))
        {
            add("orleans.clustering", $"'{orleans.Clustering}' is not one of {string.Join(", ", Clusterings)}");
        }

        if (string.IsNullOrWhiteSpace(orleans.ClusterId))
        {
            add("orleans.clusterId", "must not be empty (silos with the same clusterId form one cluster)");
        }

        if (string.IsNullOrWhiteSpace(orleans.ServiceId))
        {
            add("orleans.serviceId", "must not be empty");
        }

        var siloOk = Port(orleans.SiloPort, "orleans.siloPort", add);
        var gatewayOk = Port(orleans.GatewayPort, "orleans.gatewayPort", add);
        if (siloOk && gatewayOk && orleans.SiloPort != 0 && orleans.SiloPort == orleans.GatewayPort)
        {
            add("orleans.gatewayPort", $"{orleans.GatewayPort} is also orleans.siloPort; the two must differ (or be 0)");
        }

        // The same process listens on all three, so a clash fails the start with an opaque bind error.
        if (httpPort != 0)
        {
            if (siloOk && orleans.SiloPort == httpPort)
            {
                add("orleans.siloPort", $"{orleans.SiloPort} is also http.port; the two must differ");
            }

            if (gatewayOk && orleans.GatewayPort == httpPort)
            {
                add("orleans.gatewayPort", $"{orleans.GatewayPort} is also http.port; the two must differ");
            }
        }

        if (orleans.Queues is < MinQueues or > MaxQueues)
        {
            add("orleans.queues", $"{orleans.Queues} is out of range ({MinQueues} to {MaxQueues})");
        }

        if (!string.IsNullOrWhiteSpace(orleans.AdvertisedAddress) && !System.Net.IPAddress.TryParse(orleans.AdvertisedAddress, out _))
        {
            add("orleans.advertisedAddress", $"'{orleans.AdvertisedAddress}' is not an IP address");
        }

        if (orleans.Dashboard && httpPort == 0)
        {
            add("orleans.dashboard", "is served on http.port, which is 0 (no listener); set http.port or turn the dashboard off");
        }

        ValidateMembership(orleans.Membership, add);
        ClusterCertificate.Validate(orleans.Tls, add);
    }

    private static void ValidateMembership(MembershipOptions membership, Action<string, string> add)
    {
        Positive(membership.ProbeTimeout, "orleans.membership.probeTimeout", add);
        AtLeastOne(membership.NumMissedProbesLimit, "orleans.membership.numMissedProbesLimit", add);
        AtLeastOne(membership.NumVotesForDeathDeclaration, "orleans.membership.numVotesForDeathDeclaration", add);
        Positive(membership.TableRefreshTimeout, "orleans.membership.tableRefreshTimeout", add);
        Positive(membership.DeathVoteExpirationTimeout, "orleans.membership.deathVoteExpirationTimeout", add);
        Positive(membership.IAmAliveTablePublishTimeout, "orleans.membership.iAmAliveTablePublishTimeout", add);
    }

    private static void AtLeastOne(int value, string key, Action<string, string> add)
    {
        if (value < 1)
        {
            add(key, $"{value} must be at least 1");
        }
    }

    private static bool Port(int port, string key, Action<string, string> add)
    {
        if (port is < 0 or > 65535)
        {
            add(key, $"{port} is out of range (0 to 65535; 0 picks a free port at start)");
            return false;
        }

        return true;
    }

    private static void ValidateStream(StreamOptions stream, Action<string, string> add)
    {
        // Only the server actually used must be complete; an unused Redis block may stay as it is.
        var serverKey = string.IsNullOrWhiteSpace(stream.Valkey.Address) ? "stream.redis" : "stream.valkey";
        var server = stream.EffectiveServer;
        if (string.IsNullOrWhiteSpace(server.Address))
        {
            add(serverKey + ".address", "must not be empty (host:port of the Redis or Valkey server)");
        }
        else if (!Addresses.IsHostPort(server.Address, out var problem))
        {
            add(serverKey + ".address", $"'{server.Address}' is not host:port ({problem})");
        }

        if (server.Db < 0)
        {
            add(serverKey + ".db", $"{server.Db} must be zero or more");
        }

        if (stream.Streams.Count == 0)
        {
            add("stream.streams", "must list at least one stream");
        }

        for (var i = 0; i < stream.Streams.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(stream.Streams[i]))
            {
                add($"stream.streams[{i}]", "must not be empty");
            }
        }

        if (string.IsNullOrWhiteSpace(stream.Group))
        {
            add("stream.group", "must not be empty");
        }

        if (stream.ReadCount is < MinReadCount or > MaxReadCount)
        {
            add("stream.readCount", $"{stream.ReadCount} is out of range ({MinReadCount} to {MaxReadCount})");
        }

        // stream.block and stream.consumer are ignored by the Orleans engine (see ConfigurationNotices), so
        // no value of theirs is wrong.
        Positive(stream.PollInterval, "stream.pollInterval", add);
        if (stream.PollInterval > MaxPollInterval)
        {
            add("stream.pollInterval", $"{GoDuration.Format(stream.PollInterval)} is above the maximum of {GoDuration.Format(MaxPollInterval)}");
        }

        Positive(stream.ClaimInterval, "stream.claimInterval", add);
        Positive(stream.ClaimMinIdle, "stream.claimMinIdle", add);
        AtLeastOne(stream.MaxDeliveries, "stream.maxDeliveries", add);

        // Zero is left to mean "off" for these two, as it may have in the Go service; only a negative
        // value (possible from code, never from the binder) is nonsense.
        NotNegative(stream.DiscoverInterval, "stream.discoverInterval", add);
        NotNegative(stream.ConsumerExpiry, "stream.consumerExpiry", add);

        ValidateDeadLetter(stream, add);
    }

    /// <summary>
    /// Dead letters written back into a consumed stream would be read, fail and be dead-lettered again
    /// forever, so the dead-letter key must differ from every source stream.
    /// </summary>
    private static void ValidateDeadLetter(StreamOptions stream, Action<string, string> add)
    {
        var template = stream.DeadLetter.Stream;
        if (string.IsNullOrWhiteSpace(template))
        {
            add("stream.deadLetter.stream", "must not be empty");
            return;
        }

        foreach (var source in stream.Streams.Where(s => !string.IsNullOrWhiteSpace(s)))
        {
            if (string.Equals(stream.DeadLetter.KeyFor(source), source, StringComparison.Ordinal))
            {
                var why = template.Contains("{stream}", StringComparison.Ordinal)
                    ? $"'{template}' names the source stream itself; add a suffix such as {{stream}}:dlq"
                    : $"'{template}' is also listed in stream.streams; dead letters would be consumed again";
                add("stream.deadLetter.stream", why);
                return;
            }
        }
    }

    private static void ValidateDynamoDb(DynamoDbOptions dynamo, Action<string, string> add)
    {
        if (dynamo.Endpoint.Length > 0)
        {
            var isUrl = dynamo.Endpoint.Contains("://", StringComparison.Ordinal);
            if (isUrl ? !Addresses.IsHttpUrl(dynamo.Endpoint) : !Addresses.IsHostPort(dynamo.Endpoint, out _))
            {
                add("dynamoDB.endpoint", $"'{dynamo.Endpoint}' is not host:port or an http(s) URL (leave it empty for AWS)");
            }
        }

        if (string.IsNullOrWhiteSpace(dynamo.Region))
        {
            add("dynamoDB.region", "must not be empty");
        }

        TableName(dynamo.TableName, "dynamoDB.tableName", "must not be empty", add);
        foreach (var (stream, table) in dynamo.Tables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            TableName(table, $"dynamoDB.tables.{stream}", "table name must not be empty", add);
        }

        AtLeastOne(dynamo.RetryMax, "dynamoDB.retryMax", add);

        Positive(dynamo.RetryWaitMax, "dynamoDB.retryWaitMax", add);
        if (dynamo.BatchSize > DynamoDbOptions.MaxBatchSize)
        {
            add("dynamoDB.batchSize", $"{dynamo.BatchSize} is above the DynamoDB limit of {DynamoDbOptions.MaxBatchSize}");
        }
        else if (dynamo.BatchSize < 1)
        {
            add("dynamoDB.batchSize", $"{dynamo.BatchSize} must be at least 1");
        }

        // dynamoDB.flushInterval is ignored by the Orleans engine (see ConfigurationNotices).
        if (dynamo.MaxInFlight is < 1 or > MaxMaxInFlight)
        {
            add("dynamoDB.maxInFlight", $"{dynamo.MaxInFlight} is out of range (1 to {MaxMaxInFlight})");
        }

        if (dynamo.SiloMaxInFlight is < 0 or > MaxSiloMaxInFlight)
        {
            add("dynamoDB.siloMaxInFlight", $"{dynamo.SiloMaxInFlight} is out of range (0 for no silo-wide bound, 1 to {MaxSiloMaxInFlight})");
        }

        if (string.IsNullOrWhiteSpace(dynamo.VersionAttribute))
        {
            add("dynamoDB.versionAttribute", "must not be empty");
        }
    }

    /// <summary>DynamoDB's naming rule, checked here so a bad name is one of the start-up errors, not a failed DescribeTable.</summary>
    private static void TableName(string name, string key, string whenEmpty, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            add(key, whenEmpty);
        }
        else if (name.Length is < 3 or > 255 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            add(key, $"'{name}' is not a DynamoDB table name (3 to 255 characters: letters, digits, '_', '-', '.')");
        }
    }

    private static void Positive(TimeSpan value, string key, Action<string, string> add)
    {
        if (value <= TimeSpan.Zero)
        {
            add(key, $"{GoDuration.Format(value)} must be greater than zero");
        }
    }

    private static void NotNegative(TimeSpan value, string key, Action<string, string> add)
    {
        if (value < TimeSpan.Zero)
        {
            add(key, $"{GoDuration.Format(value)} must be zero or more");
        }
    }
}
