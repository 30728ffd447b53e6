using System.Collections;
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
