using System.Collections;
using DynamoWriter.Options;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration.Tests;

public class OptionsBinderTests
{
    [Fact]
    public void Binds_every_kind_of_property()
    {
        var (options, errors) = TestConfig.BindYaml("""
            sc:
              log: { level: debug, format: json }
              stream:
                redis: { address: "r:1", username: u, password: p, db: 3, tls: true }
                valkey: { address: "v:2" }
                group: g
                consumer: c
                streams: [a, b]
                readCount: 7
                block: 250ms
                pollInterval: 20ms
                claimInterval: 1m30s
                consumerExpiry: "01:00:00"
                trimPersisted: TRUE
                deadLetter: { stream: "dead" }
              dynamoDB:
                endpoint: "http://localhost:8000"
                tables: { orders: t1, "audit:eu": t2 }
                batchSize: 10
                writePolicy: newer-wins
              mapping: { format: json, payloadField: body }
              http: { port: 0 }
              orleans: { clustering: LocalHost, clusterId: c1, serviceId: s1, siloPort: 0, gatewayPort: 30001, queues: 16 }
              shutdownTimeout: 1.5h
            """);

        Assert.Empty(errors);
        Assert.Equal("debug", options.Log.Level);
        Assert.Equal("json", options.Log.Format);
        Assert.Equal("r:1", options.Stream.Redis.Address);
        Assert.Equal("u", options.Stream.Redis.Username);
        Assert.Equal("p", options.Stream.Redis.Password);
        Assert.Equal(3, options.Stream.Redis.Db);
        Assert.True(options.Stream.Redis.Tls);
        Assert.Equal("v:2", options.Stream.EffectiveServer.Address);
        Assert.Equal("g", options.Stream.Group);
        Assert.Equal("c", options.Stream.Consumer);
        Assert.Equal(["a", "b"], options.Stream.Streams);
        Assert.Equal(7, options.Stream.ReadCount);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Stream.Block);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.Stream.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Stream.ClaimInterval);
        Assert.Equal(TimeSpan.FromHours(1), options.Stream.ConsumerExpiry);
        Assert.True(options.Stream.TrimPersisted);
        Assert.Equal("dead", options.Stream.DeadLetter.Stream);
        Assert.Equal("http://localhost:8000", options.DynamoDB.Endpoint);
        Assert.Equal("t1", options.DynamoDB.TableFor("orders"));
        Assert.Equal("t2", options.DynamoDB.TableFor("audit:eu"));
        Assert.Equal(10, options.DynamoDB.BatchSize);
        Assert.Equal(WritePolicy.NewerWins, options.DynamoDB.WritePolicy);
        Assert.Equal("LocalHost", options.Orleans.Clustering);
        Assert.True(options.Orleans.UsesLocalhostClustering);
        Assert.Equal("c1", options.Orleans.ClusterId);
        Assert.Equal("s1", options.Orleans.ServiceId);
        Assert.Equal(0, options.Orleans.SiloPort);
        Assert.Equal(30001, options.Orleans.GatewayPort);
        Assert.Equal(16, options.Orleans.Queues);
        Assert.Equal(MappingFormat.Json, options.Mapping.Format);
        Assert.Equal("body", options.Mapping.PayloadField);
        Assert.Equal(0, options.Http.Port);
        Assert.Equal(TimeSpan.FromMinutes(90), options.ShutdownTimeout);

        // Untouched values keep their defaults.
        Assert.Equal(StreamOptions.DefaultClaimMinIdle, options.Stream.ClaimMinIdle);
        Assert.Equal(DynamoDbOptions.DefaultRegion, options.DynamoDB.Region);
    }

    [Theory]
    [InlineData("overwrite", WritePolicy.Overwrite)]
    [InlineData("Overwrite", WritePolicy.Overwrite)]
    [InlineData("skip-existing", WritePolicy.SkipExisting)]
    [InlineData("SKIP-EXISTING", WritePolicy.SkipExisting)]
    [InlineData("skip_existing", WritePolicy.SkipExisting)]
    [InlineData("SkipExisting", WritePolicy.SkipExisting)]
    [InlineData("newer-wins", WritePolicy.NewerWins)]
    [InlineData(" newer-wins ", WritePolicy.NewerWins)]
    public void Enums_accept_kebab_case(string text, WritePolicy expected)
    {
        var (options, errors) = TestConfig.Bind(TestConfig.FromEnv(new Hashtable { ["SC_DYNAMODB_WRITEPOLICY"] = text }));
        Assert.Empty(errors);
        Assert.Equal(expected, options.DynamoDB.WritePolicy);
    }

    [Theory]
    [InlineData("fields", MappingFormat.Fields)]
    [InlineData("json", MappingFormat.Json)]
    [InlineData("JSON", MappingFormat.Json)]
    public void Mapping_format_is_case_insensitive(string text, MappingFormat expected)
    {
        var (options, errors) = TestConfig.BindYaml($"sc: {{ mapping: {{ format: {text} }} }}");
        Assert.Empty(errors);
        Assert.Equal(expected, options.Mapping.Format);
    }

    [Theory]
    [InlineData("sc: { dynamoDB: { batchSize: abc } }", "sc.dynamoDB.batchSize", "'abc' is not a whole number")]
    [InlineData("sc: { dynamoDB: { batchSize: 1.5 } }", "sc.dynamoDB.batchSize", "'1.5' is not a whole number")]
    [InlineData("sc: { dynamoDB: { batchSize: 99999999999 } }", "sc.dynamoDB.batchSize", "'99999999999' is out of range (-2147483648 to 2147483647)")]
    [InlineData("sc: { stream: { block: fast } }", "sc.stream.block", "'fast' is not a duration (use Go style such as 2s, 250ms, 1m30s)")]
    [InlineData("sc: { stream: { block: -2s } }", "sc.stream.block", "'-2s' is negative; a duration must be zero or more")]
    [InlineData("sc: { stream: { trimPersisted: yes } }", "sc.stream.trimPersisted", "'yes' is not true or false")]
    [InlineData("sc: { dynamoDB: { writePolicy: fastest } }", "sc.dynamoDB.writePolicy", "'fastest' is not one of overwrite, skip-existing, newer-wins")]
    [InlineData("sc: { dynamoDB: { writePolicy: 1 } }", "sc.dynamoDB.writePolicy", "'1' is not one of overwrite, skip-existing, newer-wins")]
    [InlineData("sc: { mapping: { format: xml } }", "sc.mapping.format", "'xml' is not one of fields, json")]
    [InlineData("sc: { orleans: { siloPort: eleven } }", "sc.orleans.siloPort", "'eleven' is not a whole number")]
    [InlineData("sc: { orleans: { queues: [1, 2] } }", "sc.orleans.queues", "expected a single value, not a list or a section")]
    [InlineData("sc: { stream: { pollInterval: soon } }", "sc.stream.pollInterval", "'soon' is not a duration (use Go style such as 2s, 250ms, 1m30s)")]
    [InlineData("sc: { stream: { readCount: [1, 2] } }", "sc.stream.readCount", "expected a single value, not a list or a section")]
    [InlineData("sc: { stream: { redis: 'localhost:6379' } }", "sc.stream.redis", "'localhost:6379' is a single value; expected a section with keys address, username, password, db, tls")]
    [InlineData("sc: { dynamoDB: { tables: orders } }", "sc.dynamoDB.tables", "'orders' is a single value; expected one entry per key, such as sc.dynamoDB.tables.orders: orders-table")]
    [InlineData("sc: { stream: { streams: { a: b } } }", "sc.stream.streams.a", "expected a list of values, not a section with keys")]
    [InlineData("sc: { stream: { streams: [a, [b]] } }", "sc.stream.streams[1]", "expected a single value, not a list or a section")]
    public void Conversion_errors_name_the_key_path(string yaml, string keyPath, string message)
    {
        var (options, errors) = TestConfig.BindYaml(yaml);
        Assert.Equal(new ConfigError(keyPath, message), Assert.Single(errors));

        // A value that does not convert leaves the default in place.
        Assert.Equal(DynamoDbOptions.DefaultBatchSize, options.DynamoDB.BatchSize);
        Assert.Equal(StreamOptions.DefaultBlock, options.Stream.Block);
        Assert.Equal(["events"], options.Stream.Streams);
    }

    [Theory]
    [InlineData("sc: { stream: { readCont: 5 } }", "sc.stream.readCont", "unknown key (did you mean readCount?)")]
    [InlineData("sc: { dynamodb: { tablename: t, tableNme: x } }", "sc.dynamoDB.tableNme", "unknown key (did you mean tableName?)")]
    [InlineData("sc: { stream: { effectiveServer: { address: 'x:1' } } }", "sc.stream.effectiveServer", "unknown key; expected one of")]
    [InlineData("sc: { kafka: { brokers: x } }", "sc.kafka", "unknown key; expected one of log, stream, dynamoDB, mapping, http, checkpoint, orleans, shutdownTimeout")]
    [InlineData("sc: { stream: { redis: { adress: 'x:1' } } }", "sc.stream.redis.adress", "unknown key (did you mean address?)")]
    [InlineData("sc: { orleans: { clusterID: a, siloPrt: 1 } }", "sc.orleans.siloPrt", "unknown key (did you mean siloPort?)")]
    public void Unknown_keys_are_errors(string yaml, string keyPath, string message)
    {
        var (_, errors) = TestConfig.BindYaml(yaml);
        var error = Assert.Single(errors);
        Assert.Equal(keyPath, error.KeyPath);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Three_mistakes_are_all_reported()
    {
        var (options, errors) = TestConfig.BindYaml("""
            sc:
              stream:
                block: fast
                readCont: 100
              dynamoDB:
                batchSize: abc
                region: eu-west-1
            """);

        Assert.Equal(
            [
                new ConfigError("sc.stream.block", "'fast' is not a duration (use Go style such as 2s, 250ms, 1m30s)"),
                new ConfigError("sc.stream.readCont", "unknown key (did you mean readCount?)"),
                new ConfigError("sc.dynamoDB.batchSize", "'abc' is not a whole number"),
            ],
            errors);

        // The good values around the mistakes are still bound.
        Assert.Equal("eu-west-1", options.DynamoDB.Region);
    }

    [Fact]
    public void Lists_replace_the_default_instead_of_appending()
    {
        var (options, errors) = TestConfig.BindYaml("sc: { stream: { streams: [orders] } }");
        Assert.Empty(errors);
        Assert.Equal(["orders"], options.Stream.Streams);
    }

    [Fact]
    public void Empty_list_in_yaml_is_empty_and_null_list_too()
    {
        Assert.Empty(TestConfig.BindYaml("sc: { stream: { streams: [] } }").Options.Stream.Streams);
        Assert.Empty(TestConfig.BindYaml("sc: { stream: { streams: ~ } }").Options.Stream.Streams);
    }

    [Fact]
    public void Empty_values_keep_defaults_except_for_strings()
    {
        var (options, errors) = TestConfig.BindYaml("""
            sc:
              log:
              stream:
                readCount: ~
                block:
                trimPersisted:
                consumer: ~
                group: ""
              dynamoDB:
                writePolicy: ~
            """);

        Assert.Empty(errors);
        Assert.Equal(StreamOptions.DefaultReadCount, options.Stream.ReadCount);
        Assert.Equal(StreamOptions.DefaultBlock, options.Stream.Block);
        Assert.False(options.Stream.TrimPersisted);
        Assert.Equal(WritePolicy.Overwrite, options.DynamoDB.WritePolicy);
        Assert.Equal(LogOptions.DefaultLevel, options.Log.Level);
        Assert.Equal("", options.Stream.Consumer);
        Assert.Equal("", options.Stream.Group);
    }

    [Fact]
    public void Indexed_environment_variables_also_make_a_list()
    {
        var (options, errors) = TestConfig.Bind(TestConfig.FromEnv(new Hashtable
        {
            ["SC_STREAM_STREAMS_1"] = "second",
            ["SC_STREAM_STREAMS_0"] = "first",
            ["SC_STREAM_STREAMS_10"] = "eleventh",
        }));

        Assert.Empty(errors);
        Assert.Equal(["first", "second", "eleventh"], options.Stream.Streams);
    }

    [Fact]
    public void Tables_add_to_the_existing_dictionary_and_keep_its_comparer()
    {
        var (options, errors) = TestConfig.BindYaml("sc: { dynamoDB: { tables: { Orders: t1 } } }");
        Assert.Empty(errors);
        Assert.Equal("t1", options.DynamoDB.TableFor("Orders"));
        Assert.Equal(DynamoDbOptions.DefaultTableName, options.DynamoDB.TableFor("orders"));
    }

    [Fact]
    public void Key_path_prefix_is_configurable_and_works_on_any_object()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Port"] = "x",
        }).Build();

        var errors = OptionsBinder.Bind(config, new HttpOptions(), "sc.http");
        Assert.Equal(new ConfigError("sc.http.port", "'x' is not a whole number"), Assert.Single(errors));
    }

    [Fact]
    public void Scalar_conversions()
    {
        Assert.True(OptionsBinder.TryConvert("1.25", typeof(double), out var d, out _));
        Assert.Equal(1.25, d);
        Assert.False(OptionsBinder.TryConvert("NaN", typeof(double), out _, out var message));
        Assert.Equal("'NaN' is not a number", message);
        Assert.True(OptionsBinder.TryConvert("9000000000", typeof(long), out var l, out _));
        Assert.Equal(9_000_000_000L, l);
        Assert.True(OptionsBinder.TryConvert("-3", typeof(int), out var i, out _));
        Assert.Equal(-3, i);
        foreach (var t in new[] { "true", "True", "TRUE", "t", "1" })
        {
            Assert.True(OptionsBinder.TryConvert(t, typeof(bool), out var b, out _));
            Assert.Equal(true, b);
        }

        foreach (var f in new[] { "false", "False", "f", "0" })
        {
            Assert.True(OptionsBinder.TryConvert(f, typeof(bool), out var b, out _));
            Assert.Equal(false, b);
        }

        Assert.True(OptionsBinder.TryConvert(" keep spaces ", typeof(string), out var s, out _));
        Assert.Equal(" keep spaces ", s);
    }
}
