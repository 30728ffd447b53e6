using DynamoWriter.Options;

namespace DynamoWriter.Configuration.Tests;

public class DynamoWriterOptionsValidatorTests
{
    private static IReadOnlyList<ConfigError> Errors(Action<DynamoWriterOptions> change)
    {
        var options = new DynamoWriterOptions();
        change(options);
        return DynamoWriterOptionsValidator.Collect(options);
    }

    private static void AssertSingle(Action<DynamoWriterOptions> change, string keyPath, string message)
    {
        var error = Assert.Single(Errors(change));
        Assert.Equal(keyPath, error.KeyPath);
        Assert.Equal(message, error.Message);
    }

    private static void AssertValid(Action<DynamoWriterOptions> change) => Assert.Empty(Errors(change));

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(DynamoWriterOptionsValidator.Collect(new DynamoWriterOptions()));
        Assert.True(new DynamoWriterOptionsValidator().Validate(null, new DynamoWriterOptions()).Succeeded);
    }

    [Theory]
    [InlineData("debug")]
    [InlineData("info")]
    [InlineData("warn")]
    [InlineData("error")]
    [InlineData("WARN")]
    public void Log_levels(string level) => AssertValid(o => o.Log.Level = level);

    [Fact]
    public void Log_level_and_format_are_checked()
    {
        AssertSingle(o => o.Log.Level = "loud", "sc.log.level", "'loud' is not one of debug, info, warn, error");
        AssertSingle(o => o.Log.Format = "xml", "sc.log.format", "'xml' is not one of text, json");
    }

    [Theory]
    [InlineData("", "must not be empty (host:port of the Redis or Valkey server)")]
    [InlineData("localhost", "'localhost' is not host:port (the port is missing)")]
    [InlineData(":6379", "':6379' is not host:port (the host is missing or not a host name)")]
    [InlineData("localhost:0", "'localhost:0' is not host:port (the port must be a number from 1 to 65535)")]
    [InlineData("localhost:70000", "'localhost:70000' is not host:port (the port must be a number from 1 to 65535)")]
    [InlineData("localhost:redis", "'localhost:redis' is not host:port (the port must be a number from 1 to 65535)")]
    [InlineData("redis://localhost:6379", "'redis://localhost:6379' is not host:port (expected host:port, not a URL)")]
    [InlineData("::1:6379", "'::1:6379' is not host:port (write an IPv6 address in brackets, as [::1]:6379)")]
    public void Redis_address_must_be_host_port(string address, string message) =>
        AssertSingle(o => o.Stream.Redis.Address = address, "sc.stream.redis.address", message);

    [Theory]
    [InlineData("redis.internal:6379")]
    [InlineData("10.0.0.1:6380")]
    [InlineData("[::1]:6379")]
    public void Valid_addresses(string address) => AssertValid(o => o.Stream.Redis.Address = address);

    [Fact]
    public void Valkey_address_is_checked_when_it_is_the_effective_server()
    {
        AssertSingle(o => o.Stream.Valkey.Address = "valkey", "sc.stream.valkey.address", "'valkey' is not host:port (the port is missing)");

        // With Valkey set, an empty Redis address does not matter: it is not used.
        AssertValid(o =>
        {
            o.Stream.Valkey.Address = "valkey:6379";
            o.Stream.Redis.Address = "";
        });
    }

    [Fact]
    public void Streams_group_and_counts()
    {
        AssertSingle(o => o.Stream.Streams = [], "sc.stream.streams", "must list at least one stream");
        AssertSingle(o => o.Stream.Streams = ["a", " "], "sc.stream.streams[1]", "must not be empty");
        AssertSingle(o => o.Stream.Group = "", "sc.stream.group", "must not be empty");
        AssertSingle(o => o.Stream.ReadCount = 0, "sc.stream.readCount", "0 is out of range (1 to 100000)");
        AssertSingle(o => o.Stream.ReadCount = 100_001, "sc.stream.readCount", "100001 is out of range (1 to 100000)");
        AssertValid(o => o.Stream.ReadCount = 100_000);
        AssertSingle(o => o.Stream.MaxDeliveries = 0, "sc.stream.maxDeliveries", "0 must be at least 1");
        AssertSingle(o => o.Stream.Redis.Db = -1, "sc.stream.redis.db", "-1 must be zero or more");
    }

    [Fact]
    public void Stream_durations()
    {
        AssertSingle(o => o.Stream.PollInterval = TimeSpan.Zero, "sc.stream.pollInterval", "0s must be greater than zero");
        AssertSingle(o => o.Stream.PollInterval = TimeSpan.FromSeconds(-1), "sc.stream.pollInterval", "-1s must be greater than zero");
        AssertSingle(o => o.Stream.PollInterval = TimeSpan.FromSeconds(11), "sc.stream.pollInterval", "11s is above the maximum of 10s");
        AssertValid(o => o.Stream.PollInterval = TimeSpan.FromSeconds(10));
        AssertValid(o => o.Stream.PollInterval = TimeSpan.FromMilliseconds(1));
        AssertSingle(o => o.Stream.ClaimInterval = TimeSpan.Zero, "sc.stream.claimInterval", "0s must be greater than zero");
        AssertSingle(o => o.Stream.ClaimMinIdle = TimeSpan.Zero, "sc.stream.claimMinIdle", "0s must be greater than zero");
        AssertValid(o => o.Stream.DiscoverInterval = TimeSpan.Zero);
        AssertSingle(o => o.Stream.ConsumerExpiry = TimeSpan.FromSeconds(-1), "sc.stream.consumerExpiry", "-1s must be zero or more");
    }

    [Fact]
    public void Ignored_keys_are_never_errors_whatever_their_value()
    {
        // The Orleans engine does not use them (ConfigurationNotices reports them), so no value is wrong.
        AssertValid(o => o.Stream.Block = TimeSpan.Zero);
        AssertValid(o => o.Stream.Block = TimeSpan.FromHours(5));
        AssertValid(o => o.Stream.Block = TimeSpan.FromSeconds(-1));
        AssertValid(o => o.Stream.Consumer = "");
        AssertValid(o => o.Stream.Consumer = "worker-1");
        AssertValid(o => o.DynamoDB.FlushInterval = TimeSpan.Zero);
        AssertValid(o => o.DynamoDB.FlushInterval = TimeSpan.FromSeconds(-1));
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("localhost")]
    [InlineData("Redis")]
    [InlineData("LOCALHOST")]
    [InlineData("kubernetes")]
    [InlineData("Kubernetes")]
    public void Orleans_clustering_is_redis_localhost_or_kubernetes_in_any_case(string clustering) =>
        AssertValid(o => o.Orleans.Clustering = clustering);

    [Theory]
    [InlineData("consul")]
    [InlineData("")]
    [InlineData(" redis")]
    public void Other_clusterings_name_the_key_and_the_allowed_values(string clustering) =>
        AssertSingle(o => o.Orleans.Clustering = clustering, "sc.orleans.clustering", $"'{clustering}' is not one of redis, localhost, kubernetes");

    [Fact]
    public void Orleans_ids_must_not_be_empty()
    {
        AssertSingle(o => o.Orleans.ClusterId = "", "sc.orleans.clusterId", "must not be empty (silos with the same clusterId form one cluster)");
        AssertSingle(o => o.Orleans.ClusterId = " ", "sc.orleans.clusterId", "must not be empty (silos with the same clusterId form one cluster)");
        AssertSingle(o => o.Orleans.ServiceId = "", "sc.orleans.serviceId", "must not be empty");
    }

    [Fact]
    public void Orleans_ports()
    {
        AssertValid(o => o.Orleans.SiloPort = 0);
        AssertValid(o => o.Orleans.GatewayPort = 65535);
        AssertSingle(o => o.Orleans.SiloPort = 65536, "sc.orleans.siloPort", "65536 is out of range (0 to 65535; 0 picks a free port at start)");
        AssertSingle(o => o.Orleans.GatewayPort = -1, "sc.orleans.gatewayPort", "-1 is out of range (0 to 65535; 0 picks a free port at start)");

        // The two must differ, unless both pick a free port.
        AssertSingle(
            o =>
            {
                o.Orleans.SiloPort = 12000;
                o.Orleans.GatewayPort = 12000;
            },
            "sc.orleans.gatewayPort",
            "12000 is also orleans.siloPort; the two must differ (or be 0)");
        AssertValid(o =>
        {
            o.Orleans.SiloPort = 0;
            o.Orleans.GatewayPort = 0;
        });

        // And neither may be the http port of the same process.
        AssertSingle(o => o.Orleans.SiloPort = 8080, "sc.orleans.siloPort", "8080 is also http.port; the two must differ");
        AssertSingle(o => o.Orleans.GatewayPort = 8080, "sc.orleans.gatewayPort", "8080 is also http.port; the two must differ");
        AssertValid(o => o.Http.Port = OrleansOptions.DefaultSiloPort + 1);
        AssertValid(o =>
        {
            o.Http.Port = 0;
            o.Orleans.SiloPort = 0;
        });
    }

    [Fact]
    public void Orleans_queues()
    {
        AssertValid(o => o.Orleans.Queues = 1);
        AssertValid(o => o.Orleans.Queues = 1024);
        AssertSingle(o => o.Orleans.Queues = 0, "sc.orleans.queues", "0 is out of range (1 to 1024)");
        AssertSingle(o => o.Orleans.Queues = 1025, "sc.orleans.queues", "1025 is out of range (1 to 1024)");
        AssertSingle(o => o.Orleans.AdvertisedAddress = "pod-1", "sc.orleans.advertisedAddress", "'pod-1' is not an IP address");
    }

    [Fact]
    public void Orleans_dashboard_needs_the_http_listener_it_is_served_on()
    {
        Assert.False(new OrleansOptions().Dashboard);
        AssertValid(o => o.Orleans.Dashboard = true);
        AssertValid(o => o.Http.Port = 0);
        AssertSingle(
            o =>
            {
                o.Orleans.Dashboard = true;
                o.Http.Port = 0;
            },
            "sc.orleans.dashboard",
            "is served on http.port, which is 0 (no listener); set http.port or turn the dashboard off");
    }

    [Fact]
    public void UsesLocalhostClustering_ignores_case()
    {
        Assert.False(new OrleansOptions().UsesLocalhostClustering);
        Assert.True(new OrleansOptions { Clustering = "LocalHost" }.UsesLocalhostClustering);
    }

    [Fact]
    public void Dead_letter_stream_must_differ_from_the_sources()
    {
        AssertSingle(o => o.Stream.DeadLetter.Stream = "", "sc.stream.deadLetter.stream", "must not be empty");
        AssertSingle(
            o => o.Stream.DeadLetter.Stream = "{stream}",
            "sc.stream.deadLetter.stream",
            "'{stream}' names the source stream itself; add a suffix such as {stream}:dlq");
        AssertSingle(
            o =>
            {
                o.Stream.Streams = ["orders", "dead"];
                o.Stream.DeadLetter.Stream = "dead";
            },
            "sc.stream.deadLetter.stream",
            "'dead' is also listed in stream.streams; dead letters would be consumed again");
        AssertValid(o => o.Stream.DeadLetter.Stream = "all-dead-letters");
        AssertValid(o => o.Stream.DeadLetter.Stream = "dlq:{stream}");
    }

    [Fact]
    public void DynamoDb_limits()
    {
        AssertSingle(o => o.DynamoDB.BatchSize = 30, "sc.dynamoDB.batchSize", "30 is above the DynamoDB limit of 25");
        AssertSingle(o => o.DynamoDB.BatchSize = 0, "sc.dynamoDB.batchSize", "0 must be at least 1");
        AssertValid(o => o.DynamoDB.BatchSize = 1);
        AssertSingle(o => o.DynamoDB.RetryMax = 0, "sc.dynamoDB.retryMax", "0 must be at least 1");
        AssertSingle(o => o.DynamoDB.RetryWaitMax = TimeSpan.Zero, "sc.dynamoDB.retryWaitMax", "0s must be greater than zero");
        AssertSingle(o => o.DynamoDB.MaxInFlight = 0, "sc.dynamoDB.maxInFlight", "0 is out of range (1 to 1024)");
        AssertSingle(o => o.DynamoDB.MaxInFlight = 1025, "sc.dynamoDB.maxInFlight", "1025 is out of range (1 to 1024)");
        AssertValid(o => o.DynamoDB.MaxInFlight = 1024);
        AssertSingle(o => o.DynamoDB.SiloMaxInFlight = -1, "sc.dynamoDB.siloMaxInFlight", "-1 is out of range (0 for no silo-wide bound, 1 to 16384)");
        AssertSingle(o => o.DynamoDB.SiloMaxInFlight = 16385, "sc.dynamoDB.siloMaxInFlight", "16385 is out of range (0 for no silo-wide bound, 1 to 16384)");
        AssertValid(o => o.DynamoDB.SiloMaxInFlight = 0);
        AssertSingle(o => o.DynamoDB.VersionAttribute = "", "sc.dynamoDB.versionAttribute", "must not be empty");
        AssertSingle(o => o.DynamoDB.Region = " ", "sc.dynamoDB.region", "must not be empty");
        AssertSingle(o => o.DynamoDB.TableName = "", "sc.dynamoDB.tableName", "must not be empty");
        AssertSingle(o => o.DynamoDB.Tables["orders"] = "", "sc.dynamoDB.tables.orders", "table name must not be empty");
        AssertValid(o => o.DynamoDB.Tables["orders"] = "orders-table");
        // DynamoDB's naming rule: a start-up error rather than a failed DescribeTable.
        AssertSingle(o => o.DynamoDB.TableName = "t1", "sc.dynamoDB.tableName", "'t1' is not a DynamoDB table name (3 to 255 characters: letters, digits, '_', '-', '.')");
        AssertSingle(o => o.DynamoDB.Tables["orders"] = "orders table", "sc.dynamoDB.tables.orders", "'orders table' is not a DynamoDB table name (3 to 255 characters: letters, digits, '_', '-', '.')");
        AssertSingle(o => o.Checkpoint.TableName = new string('c', 256), "sc.checkpoint.tableName", $"'{new string('c', 256)}' is not a DynamoDB table name (3 to 255 characters: letters, digits, '_', '-', '.')");
        AssertValid(o => o.DynamoDB.TableName = "a.b_c-1");
        AssertValid(o => o.Checkpoint.TableName = new string('c', 255));
    }

    [Theory]
    [InlineData("localhost:8000", true)]
    [InlineData("http://localhost:8000", true)]
    [InlineData("https://dynamodb.eu-west-1.amazonaws.com", true)]
    [InlineData("localhost", false)]
    [InlineData("ftp://localhost:8000", false)]
    [InlineData("http://", false)]
    [InlineData("not a url", false)]
    public void Endpoint_is_host_port_or_http_url(string endpoint, bool valid)
    {
        var errors = Errors(o => o.DynamoDB.Endpoint = endpoint);
        if (valid)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal(
                new ConfigError("sc.dynamoDB.endpoint", $"'{endpoint}' is not host:port or an http(s) URL (leave it empty for AWS)"),
                Assert.Single(errors));
        }
    }

    [Fact]
    public void Mapping_checkpoint_http_and_shutdown()
    {
        AssertValid(o => o.Mapping.PayloadField = "");
        AssertSingle(
            o =>
            {
                o.Mapping.Format = MappingFormat.Json;
                o.Mapping.PayloadField = "";
            },
            "sc.mapping.payloadField",
            "must not be empty when mapping.format is json");
        AssertSingle(o => o.Checkpoint.Interval = TimeSpan.Zero, "sc.checkpoint.interval", "0s must be greater than zero");
        AssertSingle(o => o.Checkpoint.TableName = "", "sc.checkpoint.tableName", "must not be empty");
        AssertValid(o => o.Http.Port = 0);
        AssertValid(o => o.Http.Port = 65535);
        AssertSingle(o => o.Http.Port = 65536, "sc.http.port", "65536 is out of range (0 to 65535; 0 disables the listener)");
        AssertSingle(o => o.Http.Port = -1, "sc.http.port", "-1 is out of range (0 to 65535; 0 disables the listener)");
        AssertSingle(o => o.ShutdownTimeout = TimeSpan.Zero, "sc.shutdownTimeout", "0s must be greater than zero");
    }

    [Fact]
    public void Operation_field_may_be_empty_but_not_the_json_payload_field()
    {
        AssertValid(o => o.Mapping.OperationField = "");
        AssertValid(o => o.Mapping.OperationField = "payload");
        AssertSingle(
            o =>
            {
                o.Mapping.Format = MappingFormat.Json;
                o.Mapping.OperationField = "payload";
            },
            "sc.mapping.operationField",
            "'payload' is mapping.payloadField too (use another field, or empty to turn deletes off)");
    }

    [Fact]
    public void All_errors_are_collected_in_schema_order()
    {
        var errors = Errors(o =>
        {
            o.Log.Level = "loud";
            o.Stream.ReadCount = 0;
            o.DynamoDB.BatchSize = 30;
            o.Http.Port = -1;
            o.Orleans.Clustering = "consul";
            o.Orleans.Queues = 0;
            o.Stream.PollInterval = TimeSpan.FromMinutes(1);
        });

        Assert.Equal(
            ["sc.log.level", "sc.stream.readCount", "sc.stream.pollInterval", "sc.dynamoDB.batchSize", "sc.http.port", "sc.orleans.clustering", "sc.orleans.queues"],
            errors.Select(e => e.KeyPath));
    }

    [Fact]
    public void Validate_reports_binding_errors_first_in_one_formatted_message()
    {
        var bindingErrors = new OptionsBindingErrors();
        bindingErrors.Set([new ConfigError("sc.stream.block", "'fast' is not a duration (use Go style such as 2s, 250ms, 1m30s)")]);
        var options = new DynamoWriterOptions();
        options.DynamoDB.BatchSize = 30;
        options.Log.Level = "loud";

        var result = new DynamoWriterOptionsValidator(bindingErrors).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
            """
            DynamoWriter configuration is invalid (3 errors):
              sc.stream.block: 'fast' is not a duration (use Go style such as 2s, 250ms, 1m30s)
              sc.log.level: 'loud' is not one of debug, info, warn, error
              sc.dynamoDB.batchSize: 30 is above the DynamoDB limit of 25
            """.ReplaceLineEndings("\n"),
            result.FailureMessage);
        Assert.Single(result.Failures!);
    }

    [Fact]
    public void Format_counts_errors()
    {
        Assert.Equal("DynamoWriter configuration is invalid (1 error):\n  a: b", ConfigurationException.Format([new ConfigError("a", "b")]));
        Assert.Equal("DynamoWriter configuration is invalid (0 errors):", ConfigurationException.Format([]));
        var ex = new ConfigurationException([new ConfigError("a", "b"), new ConfigError("c", "d")]);
        Assert.Equal("DynamoWriter configuration is invalid (2 errors):\n  a: b\n  c: d", ex.Message);
        Assert.Equal(2, ex.Errors.Count);
    }
}
