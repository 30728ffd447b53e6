using DynamoWriter.Checkpoints;
using DynamoWriter.Grains.Operations.Maintenance;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Options;
using DynamoWriter.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Tests.Operations.Maintenance;

/// <summary>Consumer expiry and trimming to what every group has checkpointed, against the real servers.</summary>
[Trait("Category", "Integration")]
public sealed class MaintenanceTests
{
    private static MaintenanceService Service(Grains.Operations.DynamoWriterRedis redis, Amazon.DynamoDBv2.IAmazonDynamoDB dynamo, DynamoWriterOptions options) =>
        new(redis, dynamo, Microsoft.Extensions.Options.Options.Create(options), new NodeIdentity("test-silo", DateTimeOffset.UtcNow),
            NullLogger<MaintenanceService>.Instance);

    [Fact]
    public async Task Idle_consumers_owning_nothing_are_removed_and_those_with_pending_entries_are_kept()
    {
        var stream = TestServers.Unique("expiry");
        var options = OperationsKit.NewOptions(stream);
        options.Stream.ConsumerExpiry = TimeSpan.FromMilliseconds(300);
        options.Stream.DiscoverInterval = TimeSpan.FromMilliseconds(500); // the maintenance interval (at least 1 s)
        await using var redis = OperationsKit.Redis();
        using var dynamo = TestTables.Client();
        var db = await redis.GetDatabaseAsync();
        await db.StreamCreateConsumerGroupAsync(stream, options.Stream.Group, "0", createStream: true);
        await db.StreamAddAsync(stream, "pk", "held");
        // A provider queue's consumer that reads and never acknowledges, and one that owns nothing.
        Assert.Single(await db.StreamReadGroupAsync(stream, options.Stream.Group, "silo-q0", ">", 10));
        await db.ExecuteAsync("XGROUP", "CREATECONSUMER", stream, options.Stream.Group, "silo-q1");

        using var service = Service(redis, dynamo, options);
        Assert.Equal(TimeSpan.FromSeconds(1), service.Interval);
        await service.StartAsync(default);
        var names = await Eventually.WaitAsync(
            async () => (await db.StreamConsumerInfoAsync(stream, options.Stream.Group)).Select(c => (string)c.Name!).ToList(),
            n => !n.Contains("silo-q1"), OperationsKit.Deadline, "the idle consumer to be removed");
        await service.StopAsync(default);

        Assert.Equal(["silo-q0"], names);
        Assert.Equal(1, (await db.StreamPendingAsync(stream, options.Stream.Group)).PendingMessageCount);
        await db.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task Expiry_zero_removes_nothing_and_a_missing_stream_or_group_is_no_error()
    {
        var stream = TestServers.Unique("noexpiry");
        var options = OperationsKit.NewOptions(stream, TestServers.Unique("missing"));
        options.Stream.ConsumerExpiry = TimeSpan.Zero;
        await using var redis = OperationsKit.Redis();
        using var dynamo = TestTables.Client();
        var db = await redis.GetDatabaseAsync();
        await db.StreamCreateConsumerGroupAsync(stream, options.Stream.Group, "0", createStream: true);
        await db.ExecuteAsync("XGROUP", "CREATECONSUMER", stream, options.Stream.Group, "idle");
        using var service = Service(redis, dynamo, options);

        Assert.Equal(0, await service.ExpireIdleConsumersAsync(stream, default));
        await service.RunOnceAsync(default);
        Assert.Single(await db.StreamConsumerInfoAsync(stream, options.Stream.Group));

        options.Stream.ConsumerExpiry = TimeSpan.FromHours(1);
        options.Stream.Group = TestServers.Unique("nogroup");
        await service.RunOnceAsync(default); // NOGROUP and a missing key: quietly nothing to do
        await db.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task Trimming_removes_only_what_every_group_has_checkpointed()
    {
        var stream = TestServers.Unique("trim");
        var options = OperationsKit.NewOptions(stream);
        options.Stream.TrimPersisted = true;
        await using var redis = OperationsKit.Redis();
        using var dynamo = TestTables.Client();
        var db = await redis.GetDatabaseAsync();
        var ids = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            ids.Add((string)(await db.StreamAddAsync(stream, "pk", $"k{i}"))!);
        }

        await db.StreamCreateConsumerGroupAsync(stream, options.Stream.Group, "0", createStream: false);
        using var service = Service(redis, dynamo, options);

        // No checkpoint table yet: nobody knows what is persisted, nothing is trimmed.
        Assert.Equal(0, await service.TrimPersistedAsync(stream, default));
        await OperationsKit.CreateCheckpointTableAsync(dynamo, options.Checkpoint.TableName);
        Assert.Equal(0, await service.TrimPersistedAsync(stream, default));

        // Our group checkpointed entry #39: everything below it goes, the checkpoint entry itself stays.
        await OperationsKit.PutCheckpointAsync(dynamo, options.Checkpoint.TableName,
            new StreamCheckpoint { Group = options.Stream.Group, Stream = stream, Position = ids[39], Written = 40, UpdatedBy = "silo-a" });
        await service.RunOnceAsync(default);
        Assert.Equal(11, await db.StreamLengthAsync(stream));
        Assert.Equal(ids[39], (string)(await db.StreamRangeAsync(stream, count: 1))[0].Id!);

        // A second group with no checkpoint: nobody knows what it still needs, so nothing more is trimmed.
        var other = TestServers.Unique("other");
        await db.StreamCreateConsumerGroupAsync(stream, other, "0", createStream: false);
        await OperationsKit.PutCheckpointAsync(dynamo, options.Checkpoint.TableName,
            new StreamCheckpoint { Group = options.Stream.Group, Stream = stream, Position = ids[49], Written = 50, UpdatedBy = "silo-a" });
        Assert.Equal(0, await service.TrimPersistedAsync(stream, default));
        Assert.Equal(11, await db.StreamLengthAsync(stream));

        // Once it checkpoints too, the lower of the two checkpoints wins.
        await OperationsKit.PutCheckpointAsync(dynamo, options.Checkpoint.TableName,
            new StreamCheckpoint { Group = other, Stream = stream, Position = ids[45], Written = 46, UpdatedBy = "silo-b" });
        Assert.Equal(6, await service.TrimPersistedAsync(stream, default));
        Assert.Equal(ids[45], (string)(await db.StreamRangeAsync(stream, count: 1))[0].Id!);
        await db.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task Without_trimPersisted_nothing_is_trimmed()
    {
        var stream = TestServers.Unique("notrim");
        var options = OperationsKit.NewOptions(stream);
        await using var redis = OperationsKit.Redis();
        using var dynamo = TestTables.Client();
        var db = await redis.GetDatabaseAsync();
        var first = (string)(await db.StreamAddAsync(stream, "pk", "a"))!;
        var second = (string)(await db.StreamAddAsync(stream, "pk", "b"))!;
        await db.StreamCreateConsumerGroupAsync(stream, options.Stream.Group, "0", createStream: false);
        await OperationsKit.CreateCheckpointTableAsync(dynamo, options.Checkpoint.TableName);
        await OperationsKit.PutCheckpointAsync(dynamo, options.Checkpoint.TableName,
            new StreamCheckpoint { Group = options.Stream.Group, Stream = stream, Position = second });
        using var service = Service(redis, dynamo, options);

        await service.RunOnceAsync(default);

        Assert.Equal([first, second], (await db.StreamRangeAsync(stream)).Select(e => (string)e.Id!));
        await db.KeyDeleteAsync(stream);
    }
}
