using System.Collections;
using DynamoWriter.Options;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration.Tests;

public class ScEnvironmentVariablesTests
{
    [Fact]
    public void Underscores_separate_levels_and_keys_match_case_insensitively()
    {
        var root = TestConfig.FromEnv(new Hashtable
        {
            ["SC_STREAM_REDIS_ADDRESS"] = "redis:6380",
            ["SC_DYNAMODB_TABLENAME"] = "orders",
        });

        Assert.Equal("redis:6380", root["sc:stream:redis:address"]);
        Assert.Equal("orders", root["sc:dynamodb:tablename"]);
        Assert.Equal("orders", root["sc:dynamoDB:tableName"]);

        var (options, errors) = TestConfig.Bind(root);
        Assert.Empty(errors);
        Assert.Equal("redis:6380", options.Stream.Redis.Address);
        Assert.Equal("orders", options.DynamoDB.TableName);
    }

    [Fact]
    public void Only_sc_variables_are_read_and_empty_ones_are_ignored()
    {
        var root = TestConfig.FromEnv(new Hashtable
        {
            ["PATH"] = "/bin",
            ["SCX_STREAM_GROUP"] = "nope",
            ["sc_stream_group"] = "lower-case prefix is somebody else's",
            ["SC_STREAM_CONSUMER"] = "",
        });

        Assert.Empty(root.AsEnumerable());
    }

    [Fact]
    public void Orleans_and_poll_interval_variables_bind()
    {
        var (options, errors) = TestConfig.Bind(TestConfig.FromEnv(new Hashtable
        {
            ["SC_ORLEANS_CLUSTERING"] = "LOCALHOST",
            ["SC_ORLEANS_CLUSTERID"] = "prod-eu",
            ["SC_ORLEANS_SERVICEID"] = "writer",
            ["SC_ORLEANS_SILOPORT"] = "11112",
            ["SC_ORLEANS_GATEWAYPORT"] = "0",
            ["SC_ORLEANS_QUEUES"] = "32",
            ["SC_STREAM_POLLINTERVAL"] = "250ms",
        }));

        Assert.Empty(errors);
        Assert.Equal("LOCALHOST", options.Orleans.Clustering);
        Assert.True(options.Orleans.UsesLocalhostClustering);
        Assert.Equal("prod-eu", options.Orleans.ClusterId);
        Assert.Equal("writer", options.Orleans.ServiceId);
        Assert.Equal(11112, options.Orleans.SiloPort);
        Assert.Equal(0, options.Orleans.GatewayPort);
        Assert.Equal(32, options.Orleans.Queues);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Stream.PollInterval);
        Assert.Empty(DynamoWriterOptionsValidator.Collect(options));
    }

    [Fact]
    public void Bad_orleans_variables_are_errors_with_key_paths_all_at_once()
    {
        var root = TestConfig.FromEnv(new Hashtable
        {
            ["SC_ORLEANS_CLUSTERING"] = "consul",
            ["SC_ORLEANS_SILOPORT"] = "70000",
            ["SC_ORLEANS_GATEWAYPORT"] = "port",
            ["SC_ORLEANS_QUEUES"] = "0",
            ["SC_STREAM_POLLINTERVAL"] = "1m",
        });

        var options = ConfigurationLoader.LoadAndValidate(root, out var errors);
        Assert.Equal(
            [
                new ConfigError("sc.orleans.gatewayPort", "'port' is not a whole number"),
                new ConfigError("sc.stream.pollInterval", "1m0s is above the maximum of 10s"),
                new ConfigError("sc.orleans.clustering", "'consul' is not one of redis, localhost, kubernetes"),
                new ConfigError("sc.orleans.siloPort", "70000 is out of range (0 to 65535; 0 picks a free port at start)"),
                new ConfigError("sc.orleans.queues", "0 is out of range (1 to 1024)"),
            ],
            errors);
        Assert.Equal(30000, options.Orleans.GatewayPort);
    }

    [Fact]
    public void Unknown_sc_variables_are_notices_not_errors()
    {
        // Other services share the environment and the prefix (the Kafka consumer feeding our streams).
        var root = TestConfig.FromEnv(new Hashtable
        {
            ["SC_KAFKA_BROKERS"] = "kafka:9092",
            ["SC_KAFKA_SASL_PASSWORD"] = "hunter2",
            ["SC_STREAM_READCOUT"] = "10",
            ["SC_HTTP_PORT_ADMIN"] = "9000",
            ["SC_"] = "x",
            ["SC_STREAM_GROUP"] = "g",
        });

        var options = ConfigurationLoader.LoadAndValidate(root, out var errors);
        Assert.Empty(errors);
        Assert.Equal("g", options.Stream.Group);
        Assert.Equal(StreamOptions.DefaultReadCount, options.Stream.ReadCount);
        Assert.Equal(HttpOptions.DefaultPort, options.Http.Port);

        // Left out of the configuration, so nothing downstream can trip over them.
        Assert.Equal([("sc:stream:group", "g"), ("sc:stream", null), ("sc", null)],
            root.AsEnumerable().Select(kv => (kv.Key, kv.Value)).OrderByDescending(kv => kv.Key.Length));

        var notices = ConfigurationNotices.Collect(root);
        Assert.Equal(
            [
                "SC_ is not a DynamoWriter setting; ignored, as other services share the SC_ prefix",
                "SC_HTTP_PORT_ADMIN is not a DynamoWriter setting; ignored, as other services share the SC_ prefix",
                "SC_KAFKA_BROKERS is not a DynamoWriter setting; ignored, as other services share the SC_ prefix",
                "SC_KAFKA_SASL_PASSWORD is not a DynamoWriter setting; ignored, as other services share the SC_ prefix",
                "SC_STREAM_READCOUT is not a DynamoWriter setting (did you mean SC_STREAM_READCOUNT?); ignored, as other services share the SC_ prefix",
            ],
            notices);

        // Names only: the value of somebody else's variable may be a secret.
        Assert.DoesNotContain(notices, n => n.Contains("hunter2", StringComparison.Ordinal) || n.Contains("kafka:9092", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("SC_STREAM_STREAMS_0")]
    [InlineData("SC_DYNAMODB_TABLES_ORDERS_EU")]
    [InlineData("SC_STREAM_DEADLETTER_STREAM")]
    [InlineData("SC_STREAM_REDIS")]
    [InlineData("SC_ORLEANS_QUEUES")]
    public void Known_shapes_are_not_reported_as_unknown(string name)
    {
        var root = TestConfig.FromEnv(new Hashtable { [name] = "1" });
        Assert.Empty(ConfigurationNotices.Collect(root));
        Assert.Contains(root.AsEnumerable(), kv => kv.Value == "1");
    }

    [Fact]
    public void Unknown_keys_in_yaml_stay_errors_while_the_same_from_the_environment_is_a_notice()
    {
        var root = TestConfig.FromYaml("sc: { kafka: { brokers: x } }", new Hashtable { ["SC_KAFKA_TOPIC"] = "t" });
        ConfigurationLoader.LoadAndValidate(root, out var errors);
        Assert.Equal("sc.kafka", Assert.Single(errors).KeyPath);
        Assert.Equal(["SC_KAFKA_TOPIC is not a DynamoWriter setting; ignored, as other services share the SC_ prefix"], ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void Lists_are_comma_separated()
    {
        var (options, errors) = TestConfig.Bind(TestConfig.FromEnv(new Hashtable { ["SC_STREAM_STREAMS"] = "orders, payments,,audit:*" }));
        Assert.Empty(errors);
        Assert.Equal(["orders", "payments", "audit:*"], options.Stream.Streams);
    }

    [Fact]
    public void Per_stream_tables_arrive_lower_cased()
    {
        var (options, errors) = TestConfig.Bind(TestConfig.FromEnv(new Hashtable
        {
            ["SC_DYNAMODB_TABLES_ORDERS"] = "orders-table",
            ["SC_DYNAMODB_TABLES_ORDERS_EU"] = "orders-eu-table",
        }));

        Assert.Empty(errors);
        Assert.Equal("orders-table", options.DynamoDB.TableFor("orders"));
        Assert.Equal("orders-eu-table", options.DynamoDB.TableFor("orders:eu"));
        Assert.Equal(2, options.DynamoDB.Tables.Count);
    }

    [Fact]
    public void Environment_overrides_yaml()
    {
        var root = TestConfig.FromYaml("""
            sc:
              stream:
                group: from-file
                streams: [a, b, c]
                readCount: 10
              dynamoDB:
                batchSize: 10
            """,
            new Hashtable
            {
                ["SC_STREAM_GROUP"] = "from-env",
                ["SC_STREAM_STREAMS"] = "x",
                ["SC_DYNAMODB_BATCHSIZE"] = "20",
            });

        var (options, errors) = TestConfig.Bind(root);
        Assert.Empty(errors);
        Assert.Equal("from-env", options.Stream.Group);
        Assert.Equal(["x"], options.Stream.Streams);
        Assert.Equal(20, options.DynamoDB.BatchSize);
        Assert.Equal(10, options.Stream.ReadCount);
    }

    [Fact]
    public void Process_environment_is_read_when_no_table_is_given()
    {
        var name = "SC_STREAM_CONSUMER";
        var before = Environment.GetEnvironmentVariable(name);
        if (before is not null)
        {
            // Someone set it for real; the mapping is covered by the other tests.
            return;
        }

        Environment.SetEnvironmentVariable(name, "from-process");
        try
        {
            var root = new ConfigurationBuilder().AddScEnvironmentVariables().Build();
            Assert.Equal("from-process", root["sc:stream:consumer"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
