using System.Globalization;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Recovery;

/// <summary>
/// Issue #3: durable checkpoints. The final checkpoint is written on stop; when the consumer group is
/// lost, the next start recreates it at the checkpoint and reads only what came after, not from 0.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CheckpointTests
{
    [Fact]
    public async Task Deleted_group_is_recreated_at_the_checkpoint_and_only_new_entries_are_read()
    {
        const int before = 60;
        const int after = 25;
        var stream = TestServers.Unique("cp");
        var options = WriterSilo.NewOptions(stream);
        // Longer than the test: the checkpoint that counts is the one written on stop.
        options.Checkpoint.Interval = TimeSpan.FromMinutes(10);
        var group = options.Stream.Group;
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();

        string last = "";
        for (var i = 0; i < before; i++)
        {
            last = await redis.XAddAsync(stream, [new("pk", $"k{i}"), new("n", i.ToString(CultureInfo.InvariantCulture))]);
        }

        var first = await WriterSilo.StartAsync(options);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(first.Totals.Acknowledged), n => n >= before, EngineKit.Deadline, "first run acknowledged everything");
        }
        finally
        {
            await first.DisposeAsync();
        }

        Assert.Equal(before, first.Totals.Read);
        Assert.Equal(0, await redis.PendingAsync(stream, group));

        // The checkpoint written on stop: everything up to the last entry is persisted.
        var checkpoint = await EngineKit.CheckpointAsync(dynamo, options, stream);
        Assert.NotNull(checkpoint);
        Assert.Equal(last, checkpoint.Position);
        Assert.Equal(before, checkpoint.Written);
        Assert.Equal(0, checkpoint.Skipped);
        Assert.Equal(0, checkpoint.DeadLettered);
        Assert.Equal(first.SiloName, checkpoint.UpdatedBy);

        // The group is lost (a failover, a flush, an operator); more entries arrive meanwhile.
        Assert.True(await redis.XGroupDestroyAsync(stream, group));
        var added = new List<string>();
        for (var i = before; i < before + after; i++)
        {
            added.Add(await redis.XAddAsync(stream, [new("pk", $"k{i}"), new("n", i.ToString(CultureInfo.InvariantCulture))]));
        }

        var second = await WriterSilo.StartAsync(options);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(second.Totals.Acknowledged), n => n >= after, EngineKit.Deadline, "second run acknowledged the new entries");
            await Eventually.WaitAsync(() => TestTables.CountAsync(dynamo, options.DynamoDB.TableName), n => n >= before + after, EngineKit.Deadline, "all items in the table");
        }
        finally
        {
            await second.DisposeAsync();
        }

        // Exactly the new entries were read: the group was recreated at the checkpoint, not at 0.
        Assert.Equal(after, second.Totals.Read);
        Assert.Equal(after, second.Totals.Written);
        Assert.True(second.Logs.Contains(1050, $"recreated at checkpoint {last}"),
            "no 'recreated at checkpoint' log line; got: " + string.Join(" | ", second.Logs.Lines.Select(l => l.Message)));
        Assert.False(second.Logs.Lines.Any(l => l.Event.Id == 1010), "the group was created from scratch");

        var groups = await redis.GroupsAsync(stream);
        var info = Assert.Single(groups, g => g.Name == group);
        Assert.Equal(added[^1], (string?)info.LastDeliveredId);
        Assert.Equal(0, info.PendingMessageCount);
        Assert.Equal(before + after, await TestTables.CountAsync(dynamo, options.DynamoDB.TableName));

        var moved = await EngineKit.CheckpointAsync(dynamo, options, stream);
        Assert.NotNull(moved);
        Assert.Equal(added[^1], moved.Position);
        Assert.Equal(before + after, moved.Written);
    }

    [Fact]
    public async Task A_group_deleted_while_running_is_recreated_at_the_checkpoint_and_entries_keep_flowing()
    {
        var stream = TestServers.Unique("cprun");
        var options = WriterSilo.NewOptions(stream);
        var group = options.Stream.Group;
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        for (var i = 0; i < 20; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"a{i}")]);
        }

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 20, EngineKit.Deadline, "first entries acknowledged");
        await Eventually.WaitAsync(async () => (await EngineKit.CheckpointAsync(dynamo, options, stream))?.Written ?? 0, n => n >= 20, EngineKit.Deadline, "checkpoint covering the first entries");

        Assert.True(await redis.XGroupDestroyAsync(stream, group));
        for (var i = 0; i < 20; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"b{i}")]);
        }

        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 40, EngineKit.Deadline, "entries after the loss acknowledged");
        Assert.Equal(40, await TestTables.CountAsync(dynamo, options.DynamoDB.TableName));
        Assert.Equal(40, engine.Totals.Read); // resumed at the checkpoint: nothing read twice
        Assert.True(engine.Logs.Contains(1013, "is missing"));
        Assert.True(engine.Logs.Contains(1050, "recreated at checkpoint"));
        Assert.Equal(0, await redis.PendingAsync(stream, group));
    }

    [Fact]
    public async Task A_missing_group_without_a_checkpoint_is_created_at_zero_so_nothing_is_skipped()
    {
        var stream = TestServers.Unique("cp0");
        var options = WriterSilo.NewOptions(stream);
        await using var redis = EngineKit.Redis();
        for (var i = 0; i < 10; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}")]);
        }

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 10, EngineKit.Deadline, "backlog acknowledged");
        Assert.Equal(10, engine.Totals.Read);
        Assert.True(engine.Logs.Contains(1010, "created at 0"));
    }
}
