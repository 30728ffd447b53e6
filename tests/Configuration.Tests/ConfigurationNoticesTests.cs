using System.Collections;

namespace DynamoWriter.Configuration.Tests;

public class ConfigurationNoticesTests
{
    [Fact]
    public void Nothing_set_means_nothing_to_say()
    {
        Assert.Empty(ConfigurationNotices.Collect(TestConfig.FromYaml("sc: { stream: { group: g } }")));
        Assert.Empty(ConfigurationNotices.Collect(TestConfig.FromEnv(new Hashtable())));
    }

    [Fact]
    public void Block_set_in_yaml_is_ignored_and_names_the_poll_interval()
    {
        var root = TestConfig.FromYaml("sc: { stream: { block: 2s } }");
        var (options, errors) = TestConfig.Bind(root);
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Stream.Block);
        Assert.Equal(
            ["sc.stream.block is set (2s) but ignored: StackExchange.Redis cannot block; the silo polls every sc.stream.pollInterval (50ms)"],
            ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void Block_notice_shows_the_configured_poll_interval()
    {
        var root = TestConfig.FromYaml("sc: { stream: { block: 5s, pollInterval: 250ms } }");
        Assert.Equal(
            ["sc.stream.block is set (5s) but ignored: StackExchange.Redis cannot block; the silo polls every sc.stream.pollInterval (250ms)"],
            ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void Consumer_set_from_the_environment_is_ignored()
    {
        var root = TestConfig.FromEnv(new Hashtable { ["SC_STREAM_CONSUMER"] = "pod-7" });
        Assert.Empty(TestConfig.Bind(root).Errors);
        Assert.Equal(
            ["sc.stream.consumer is set (pod-7) but ignored: consumers are named after Orleans queues so a moved queue keeps its pending entries"],
            ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void Flush_interval_is_ignored()
    {
        var root = TestConfig.FromYaml("sc: { dynamoDB: { flushInterval: 100ms } }");
        Assert.Equal(
            ["sc.dynamoDB.flushInterval is set (100ms) but ignored: a batch is one read of one stream; nothing lingers"],
            ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void Empty_values_are_not_set()
    {
        // As in the binder: a YAML null or empty string, like an empty variable, keeps the default.
        var root = TestConfig.FromYaml("sc: { stream: { block: ~, consumer: \"\" }, dynamoDB: { flushInterval: } }", new Hashtable { ["SC_STREAM_BLOCK"] = "" });
        Assert.Empty(ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void A_go_service_file_loads_with_one_notice_per_ignored_key_and_no_error()
    {
        var root = TestConfig.FromYaml("""
            sc:
              stream:
                consumer: writer-1
                block: 2s
              dynamoDB:
                flushInterval: 100ms
            """,
            new Hashtable { ["SC_STREAM_BLOCK"] = "3s", ["SC_KAFKA_TOPIC"] = "events" });

        ConfigurationLoader.LoadAndValidate(root, out var errors);
        Assert.Empty(errors);
        Assert.Equal(
            [
                "sc.stream.block is set (3s) but ignored: StackExchange.Redis cannot block; the silo polls every sc.stream.pollInterval (50ms)",
                "sc.stream.consumer is set (writer-1) but ignored: consumers are named after Orleans queues so a moved queue keeps its pending entries",
                "sc.dynamoDB.flushInterval is set (100ms) but ignored: a batch is one read of one stream; nothing lingers",
                "SC_KAFKA_TOPIC is not a DynamoWriter setting; ignored, as other services share the SC_ prefix",
            ],
            ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void A_malformed_ignored_value_is_still_a_conversion_error()
    {
        // Ignored values are not range-checked, but one that does not even parse is a broken file.
        var root = TestConfig.FromYaml("sc: { stream: { block: fast } }");
        Assert.Equal("sc.stream.block", Assert.Single(TestConfig.Bind(root).Errors).KeyPath);
        Assert.Single(ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void Null_root_throws() => Assert.Throws<ArgumentNullException>(() => ConfigurationNotices.Collect(null!));
}
