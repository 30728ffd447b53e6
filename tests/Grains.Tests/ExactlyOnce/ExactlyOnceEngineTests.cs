using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Grains.Tests.Engine;
using DynamoWriter.Options;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.ExactlyOnce;

/// <summary>
/// A silo with <c>sc.dynamoDB.exactlyOnce</c> on DynamoDB Local in both runs (dynalite has no transactions;
/// <see cref="TransactionalDynamo"/>): every entry is
/// written, skipped or dead-lettered once, and a backlog delivered a second time (the group rewound, as after a
/// lost acknowledgement or a restart from an older position) is acknowledged without a single second write.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExactlyOnceEngineTests
{
    [Fact]
    public async Task A_backlog_delivered_twice_is_written_once_and_the_checkpoint_counts_each_entry_once()
    {
        var stream = TestServers.Unique("eo");
        var options = await ExactlyOnceOptionsAsync(stream);
        options.DynamoDB.WritePolicy = WritePolicy.SkipExisting;
        options.Stream.ReadCount = 150; // two transactions per read, keys repeating inside reads
        await using var redis = EngineKit.Redis();
        const int Good = 600;
        const int Bad = 4;
        for (var i = 0; i < Good; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i % 200}"), new("n", $"{i}")]);
            if (i % 150 == 10 && i / 150 < Bad)
            {
                await redis.XAddAsync(stream, [new("note", "no key")]);
            }
        }

        using var dynamo = TestTables.Client(options.DynamoDB.Endpoint);
        var lastId = (await redis.AllAsync(stream))[^1].Id;
        await using (var engine = await WriterSilo.StartAsync(options))
        {
            await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= Good + Bad, EngineKit.Deadline, "every entry acknowledged");
            Assert.Equal(200, engine.Totals.Written);
            Assert.Equal(Good - 200, engine.Totals.Skipped); // skip-existing: the first entry of each key wins
            Assert.Equal(Bad, engine.Totals.DeadLettered);
        }

        var checkpoint = await EngineKit.CheckpointAsync(dynamo, options, stream);
        Assert.NotNull(checkpoint);
        Assert.Equal((200L, (long)(Good - 200), (long)Bad, lastId), (checkpoint.Written, checkpoint.Skipped, checkpoint.DeadLettered, checkpoint.Position));

        // Everything again: the group rewound to the start, a new silo.
        await redis.ExecuteAsync("XGROUP", "SETID", stream, options.Stream.Group, "0");
        await using (var again = await WriterSilo.StartAsync(options))
        {
            await Eventually.WaitAsync(() => Task.FromResult(again.Totals.Acknowledged), n => n >= Good + Bad, EngineKit.Deadline, "the second delivery acknowledged");
            Assert.Equal((0L, 0L, 0L), (again.Totals.Written, again.Totals.Skipped, again.Totals.DeadLettered));
            Assert.True(again.Logs.Contains(1055, "were committed before"), again.Logs.Dump());
        }

        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
        Assert.Equal(Bad, await redis.XLenAsync(options.Stream.DeadLetter.KeyFor(stream)));
        var after = await EngineKit.CheckpointAsync(dynamo, options, stream);
        Assert.Equal((200L, (long)(Good - 200), (long)Bad, lastId), (after!.Written, after.Skipped, after.DeadLettered, after.Position));
        var items = (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).ToDictionary(i => i["pk"].S);
        Assert.Equal(200, items.Count);
        Assert.All(Enumerable.Range(0, 200), k => Assert.Equal($"{k}", items[$"k{k}"]["n"].S));
    }

    [Fact]
    public async Task A_checkpoint_another_activation_moved_on_is_read_again_and_writing_goes_on()
    {
        var stream = TestServers.Unique("eoconflict");
        var options = await ExactlyOnceOptionsAsync(stream);
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client(options.DynamoDB.Endpoint);
        for (var i = 0; i < 50; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}"), new("n", $"{i}")]);
        }

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 50, EngineKit.Deadline, "the first entries acknowledged");

        // What another activation of the grain does during a hand-over: it commits, and the checkpoint's ETag is
        // not the one this activation holds. Its next commit conflicts and it must read the checkpoint again.
        await dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = options.Checkpoint.TableName,
            Key = new() { [DynamoDbGrainStorage.KeyAttribute] = new AttributeValue { S = CheckpointKeys.For(options.Stream.Group, stream) } },
            UpdateExpression = "SET #etag = :other",
            ExpressionAttributeNames = new() { ["#etag"] = DynamoDbGrainStorage.ETagAttribute },
            ExpressionAttributeValues = new() { [":other"] = new AttributeValue { S = DynamoDbGrainStorage.NewETag() } },
        });
        for (var i = 50; i < 80; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}"), new("n", $"{i}")]);
        }

        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 80, EngineKit.Deadline, "the entries after the conflict acknowledged");
        Assert.False(engine.Logs.Contains(1023, "failed unexpectedly"), engine.Logs.Dump());
        var checkpoint = await EngineKit.CheckpointAsync(dynamo, options, stream);
        Assert.Equal(80L, checkpoint!.Written);
        Assert.Equal(80, (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Count);
    }

    [Fact]
    public async Task Queues_moving_to_a_joining_silo_and_back_mid_run_keep_every_total_exact()
    {
        var streams = Enumerable.Range(0, 6).Select(i => TestServers.Unique($"eomove{i}")).ToArray();
        var options = await ExactlyOnceOptionsAsync(streams);
        options.Orleans.Queues = 6;
        // Membership in Redis: with localhost clustering the first silo is the primary, and its leaving would
        // leave the second without a membership to rebalance by.
        options.Orleans.Clustering = Options.OrleansOptions.RedisClustering;
        // Small reads, so the backlog outlasts the second silo's start and its queues move while entries flow.
        options.Stream.ReadCount = 20;
        const int PerStream = 1_500;
        await using var redis = EngineKit.Redis();
        foreach (var stream in streams)
        {
            for (var i = 0; i < PerStream; i++)
            {
                await redis.XAddAsync(stream, [new("pk", $"{stream}-{i}"), new("n", $"{i}")]);
            }
        }

        await using var first = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(first.Totals.Written), n => n >= 500, EngineKit.Deadline, "the first silo to write part of the backlog");
        // A second silo joins and takes its share of the queues mid-run (the writer grains stay where they are
        // active); then the first leaves: every queue and every writer grain moves to the second.
        await using var second = await WriterSilo.StartAsync(options);
        var joinedAt = first.Totals.Written;
        await Eventually.WaitAsync(() => Task.FromResult(first.Totals.Written), n => n >= joinedAt + 500, EngineKit.Deadline, "entries to flow after the join");
        await first.StopAsync();

        await Eventually.WaitAsync(async () =>
        {
            var pending = 0;
            foreach (var stream in streams)
            {
                pending += await redis.PendingAsync(stream, options.Stream.Group);
                var group = (await redis.GroupsAsync(stream)).Single(g => g.Name == options.Stream.Group);
                pending += group.Lag is { } lag ? (int)lag : 0;
            }

            return pending;
        }, n => n == 0, TimeSpan.FromMinutes(3), "every entry delivered and acknowledged (one silo, small reads, shared cores)");

        using var dynamo = TestTables.Client(options.DynamoDB.Endpoint);
        foreach (var stream in streams)
        {
            var checkpoint = await EngineKit.CheckpointAsync(dynamo, options, stream);
            Assert.Equal((long)PerStream, checkpoint!.Written);
        }

        Assert.Equal(streams.Length * PerStream, (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Count);
        Assert.True(second.Totals.Written > 0, "nothing moved to the second silo; the test proves nothing");
        Assert.Equal(streams.Length * PerStream, first.Totals.Written + second.Totals.Written);
    }

    private static async Task<DynamoWriterOptions> ExactlyOnceOptionsAsync(params string[] streams)
    {
        var options = WriterSilo.NewOptions(streams);
        options.DynamoDB.ExactlyOnce = true;
        options.DynamoDB.Endpoint = await TransactionalDynamo.EndpointAsync();
        return options;
    }
}
