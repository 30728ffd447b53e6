using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Scale;

[Trait("Category", "Integration")]
public sealed class DiscoveryAndMaintenanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_stream_created_while_running_that_matches_a_pattern_is_consumed_and_its_dead_letter_stream_is_not()
    {
        var prefix = TestServers.Unique("disc");
        var options = WriterSilo.NewOptions($"{prefix}:*");
        options.Stream.DiscoverInterval = TimeSpan.FromMilliseconds(500);
        await using var redis = EngineKit.Redis();
        await redis.XAddAsync($"{prefix}:existing", [new("pk", "existing-1")]);

        await using var host = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(host.Totals.Acknowledged), n => n >= 1, Deadline, "the existing stream written");

        // Created after start: a new source stream, and a key shaped like a dead-letter stream.
        await redis.XAddAsync($"{prefix}:late", [new("pk", "late-1")]);
        await redis.XAddAsync($"{prefix}:late:dlq", [new("pk", "never-consumed")]);
        await Eventually.WaitAsync(() => Task.FromResult(host.Totals.Acknowledged), n => n >= 2, Deadline, "both entries written");

        Assert.True(host.Logs.Contains(1060, $"{prefix}:late"), "the late stream discovered");
        Assert.False(host.Logs.Contains(1060, $"{prefix}:late:dlq"), "a dead-letter stream discovered");
        Assert.Contains(await redis.GroupsAsync($"{prefix}:late"), g => g.Name == options.Stream.Group);
        Assert.Empty(await redis.GroupsAsync($"{prefix}:late:dlq"));
        Assert.Equal(0, await redis.PendingAsync($"{prefix}:late", options.Stream.Group));
        using var dynamo = TestTables.Client();
        var keys = (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Select(i => i["pk"].S).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["existing-1", "late-1"], keys);
    }

    [Fact]
    public async Task A_listed_dead_letter_stream_of_a_listed_stream_is_not_consumed()
    {
        var stream = TestServers.Unique("listed");
        var options = WriterSilo.NewOptions(stream, $"{stream}:dlq");
        await using var redis = EngineKit.Redis();
        await redis.XAddAsync(stream, [new("pk", "a")]);
        await redis.XAddAsync($"{stream}:dlq", [new("pk", "never-consumed")]);
        await using var host = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(host.Totals.Acknowledged), n => n >= 1, Deadline, "the listed stream written");
        Assert.True(host.Logs.Contains(1005, $"{stream}:dlq"));
        Assert.Empty(await redis.GroupsAsync($"{stream}:dlq"));
        Assert.Equal(1, host.Totals.Read);
    }
}
