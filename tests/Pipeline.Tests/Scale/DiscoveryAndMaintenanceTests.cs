using DynamoWriter.Pipeline.Checkpoints;
using DynamoWriter.Pipeline.Nodes;
using DynamoWriter.Redis;
using DynamoWriter.Tests;

namespace DynamoWriter.Pipeline.Tests.Scale;

[Trait("Category", "Integration")]
public sealed class DiscoveryAndMaintenanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_stream_created_while_running_that_matches_a_pattern_is_consumed_and_its_dead_letter_stream_is_not()
    {
        var prefix = TestServers.Unique("disc");
        var options = EngineHost.NewOptions($"{prefix}:*");
        options.Stream.DiscoverInterval = TimeSpan.FromMilliseconds(500);
        await using var redis = new RedisClient(new RedisClientOptions { Address = TestServers.RedisAddress });
        await redis.XAddAsync($"{prefix}:existing", [new("pk", "existing-1")]);

        await using var host = await EngineHost.StartAsync(options);
        Assert.Contains($"{prefix}:existing", host.Engine.Streams);

        // Created after start: a new source stream, and a key shaped like a dead-letter stream.
        await redis.XAddAsync($"{prefix}:late", [new("pk", "late-1")]);
        await redis.XAddAsync($"{prefix}:late:dlq", [new("pk", "never-consumed")]);
        await Eventually.WaitAsync(() => Task.FromResult(host.Engine.EntriesAcknowledged), n => n >= 2, Deadline, "both entries written");

        Assert.Contains($"{prefix}:late", host.Engine.Streams);
        Assert.DoesNotContain($"{prefix}:late:dlq", host.Engine.Streams);
        Assert.Empty(await redis.XInfoGroupsAsync($"{prefix}:late:dlq"));
        using var dynamo = TestTables.Client();
        var keys = (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Select(i => i["pk"].S).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["existing-1", "late-1"], keys);
    }

    [Fact]
    public async Task A_listed_dead_letter_stream_of_a_listed_stream_is_not_consumed()
    {
        var stream = TestServers.Unique("listed");
        var options = EngineHost.NewOptions(stream, $"{stream}:dlq");
        await using var host = await EngineHost.StartAsync(options);
        Assert.Equal([stream], host.Engine.Streams);
        Assert.True(host.Logs.Contains(1005, $"{stream}:dlq"));
    }

    [Fact]
    public async Task Idle_consumers_owning_nothing_are_removed_and_those_with_pending_entries_are_kept()
    {
        var stream = TestServers.Unique("expiry");
        var options = EngineHost.NewOptions(stream);
        options.Stream.ConsumerExpiry = TimeSpan.FromMilliseconds(300);
        options.Stream.DiscoverInterval = TimeSpan.FromMilliseconds(500); // also the maintenance interval
        options.Stream.ClaimMinIdle = TimeSpan.FromHours(1);              // keep the holder's entry where it is
        await using var redis = new RedisClient(new RedisClientOptions { Address = TestServers.RedisAddress });
        await redis.XGroupCreateAsync(stream, options.Stream.Group, "0", mkStream: true);
        await redis.XAddAsync(stream, [new("pk", "held")]);
        // "holder" reads and never acknowledges; "idle" exists but owns nothing.
        Assert.Single(await redis.XReadGroupAsync(options.Stream.Group, "holder", [(stream, ">")], 10, null));
        await redis.ExecuteAsync(["XGROUP", "CREATECONSUMER", stream, options.Stream.Group, "idle"]);

        await using var host = await EngineHost.StartAsync(options);
        var names = await Eventually.WaitAsync(
            async () => (await redis.XInfoConsumersAsync(stream, options.Stream.Group)).Select(c => c.Name).ToList(),
            n => !n.Contains("idle"), Deadline, "the idle consumer to be removed");
        Assert.Contains("holder", names);
        Assert.Contains(host.Engine.Consumer, names);
        Assert.Equal(1, (await redis.XPendingAsync(stream, options.Stream.Group)).Count);
    }

    [Fact]
    public async Task Trimming_removes_only_what_every_group_has_persisted()
    {
        var stream = TestServers.Unique("trim");
        var options = EngineHost.NewOptions(stream);
        options.Stream.TrimPersisted = true;
        options.Stream.DiscoverInterval = TimeSpan.FromMilliseconds(500);
        options.Checkpoint.Interval = TimeSpan.FromMilliseconds(300);
        options.Checkpoint.TableName = TestServers.Unique("cp");
        await using var redis = new RedisClient(new RedisClientOptions { Address = TestServers.RedisAddress });
        for (var i = 0; i < 50; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}")]);
        }

        await using var host = await EngineHost.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(host.Engine.EntriesAcknowledged), n => n >= 50, Deadline, "all entries written");
        var length = await Eventually.WaitAsync(() => redis.XLenAsync(stream), n => n <= 1, Deadline, "the persisted entries to be trimmed");
        Assert.True(length <= 1);

        // A second group with no checkpoint: nobody knows what it still needs, so nothing more is trimmed.
        var other = TestServers.Unique("other");
        await redis.XGroupCreateAsync(stream, other, "0", mkStream: false);
        for (var i = 50; i < 60; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}")]);
        }

        await Eventually.WaitAsync(() => Task.FromResult(host.Engine.EntriesAcknowledged), n => n >= 60, Deadline, "the new entries written");
        using var dynamo = TestTables.Client();
        var store = new CheckpointStore(dynamo, options.Checkpoint.TableName);
        await Eventually.WaitAsync(async () => (await store.GetAsync(options.Stream.Group, stream, default))?.Written ?? 0, n => n >= 60, Deadline, "the checkpoint to count all 60");
        // Our checkpoint has moved past all 60, yet a trim now removes nothing: the other group holds it back.
        Assert.Equal(0, await host.Engine.TrimPersistedAsync(stream, default));
        Assert.True(await redis.XLenAsync(stream) >= 10);
    }

    [Fact]
    public async Task A_running_node_keeps_a_heartbeat_with_its_streams_and_counts_and_removes_it_on_stop()
    {
        var stream = TestServers.Unique("hb");
        var options = EngineHost.NewOptions(stream);
        await using var redis = new RedisClient(new RedisClientOptions { Address = TestServers.RedisAddress });
        await redis.XAddAsync(stream, [new("pk", "a")]);
        var host = await EngineHost.StartAsync(options);
        var key = NodeHeartbeat.KeyFor(options.Stream.Group, host.Engine.Consumer);
        var beat = await Eventually.WaitAsync(async () => NodeHeartbeat.FromJson(await redis.GetAsync(key)), b => b is { Written: >= 1 }, Deadline, "a heartbeat counting the write");
        Assert.Equal([stream], beat!.Streams);
        Assert.Equal(Environment.ProcessId, beat.ProcessId);
        await host.DisposeAsync();
        Assert.Null(await redis.GetAsync(key));
    }
}
