using System.Globalization;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Recovery;

/// <summary>
/// Issue #3: a consumer that dies holding pending entries. The survivor claims them once idle
/// (XAUTOCLAIM), writes them, acknowledges entries deleted meanwhile without writing them, and
/// dead-letters entries delivered more than maxDeliveries times.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClaimTests
{
    private const string DeadNode = "dead-node";

    private static DynamoWriterOptions ClaimingOptions(string stream)
    {
        var options = WriterSilo.NewOptions(stream);
        options.Stream.ClaimInterval = TimeSpan.FromSeconds(1);
        options.Stream.ClaimMinIdle = TimeSpan.FromSeconds(1);
        options.Stream.ReadCount = 16; // several XAUTOCLAIM pages
        return options;
    }

    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Entries_a_dead_consumer_left_pending_are_claimed_and_written_by_the_survivor()
    {
        var stream = TestServers.Unique("claim");
        var options = ClaimingOptions(stream);
        var group = options.Stream.Group;
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        await redis.XGroupCreateAsync(stream, group, "0", mkStream: true);
        for (var i = 0; i < 40; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"held-{i}"), new("n", N(i))]);
        }

        // The other node reads them and dies before acknowledging anything.
        var held = await redis.XReadGroupAsync(group, DeadNode, stream, 100);
        Assert.Equal(40, held.Count);
        for (var i = 0; i < 10; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"fresh-{i}"), new("n", N(i))]);
        }

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 50, EngineKit.Deadline, "held and fresh entries acknowledged");
        await Eventually.WaitAsync(() => redis.PendingAsync(stream, group), n => n == 0, EngineKit.Deadline, "nothing pending");

        var items = (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Select(i => i["pk"].S).ToHashSet();
        Assert.Equal(50, items.Count);
        Assert.All(held, e => Assert.Contains(e.GetField("pk")!, items));
        Assert.Equal(50, engine.Totals.Written);
        Assert.True(engine.Logs.Contains(1040, "claimed"));
        var consumers = await redis.ConsumersAsync(stream, group);
        Assert.Equal(0, consumers.Single(c => c.Name == DeadNode).PendingMessageCount);
        Assert.Equal(0, await redis.XLenAsync(options.Stream.DeadLetter.KeyFor(stream)));
    }

    [Fact]
    public async Task An_entry_deleted_while_pending_in_a_dead_consumer_is_acknowledged_and_counted_not_written()
    {
        var stream = TestServers.Unique("claimdel");
        var options = ClaimingOptions(stream);
        var group = options.Stream.Group;
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        using var deleted = new StreamCounter("dynamowriter.entries.deleted", stream);
        await redis.XGroupCreateAsync(stream, group, "0", mkStream: true);
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await redis.XAddAsync(stream, [new("pk", $"k{i}")]));
        }

        Assert.Equal(8, (await redis.XReadGroupAsync(group, DeadNode, stream, 100)).Count);
        Assert.Equal(2, (long)await redis.ExecuteAsync("XDEL", stream, ids[2], ids[5]));

        await using var engine = await WriterSilo.StartAsync(options);
        // Entries acknowledged because they were deleted are not in the acknowledged total any more (the old engine counted them).
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 6, EngineKit.Deadline, "6 written acknowledged");
        await Eventually.WaitAsync(() => redis.PendingAsync(stream, group), n => n == 0, EngineKit.Deadline, "nothing pending");

        Assert.Equal(6, engine.Totals.Written);
        Assert.Equal(2, deleted.Total);
        var items = (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Select(i => i["pk"].S).Order().ToList();
        Assert.Equal(["k0", "k1", "k3", "k4", "k6", "k7"], items);
        Assert.Equal(0, await redis.XLenAsync(options.Stream.DeadLetter.KeyFor(stream)));
    }

    [Fact]
    public async Task An_entry_delivered_more_than_max_deliveries_times_is_dead_lettered()
    {
        var stream = TestServers.Unique("maxdel");
        var options = ClaimingOptions(stream);
        options.Stream.MaxDeliveries = 3;
        var group = options.Stream.Group;
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        await redis.XGroupCreateAsync(stream, group, "0", mkStream: true);
        var poison = await redis.XAddAsync(stream, [new("pk", "poison"), new("note", "crashes whoever reads it")]);
        for (var i = 0; i < 5; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}")]);
        }

        Assert.Equal(6, (await redis.XReadGroupAsync(group, DeadNode, stream, 100)).Count);
        // Claimed again and again (each XCLAIM is a delivery), as if it crashed every node that took it.
        for (var i = 0; i < 4; i++)
        {
            await redis.ExecuteAsync("XCLAIM", stream, group, DeadNode, "0", poison);
        }

        var info = Assert.Single(await redis.PendingRangeAsync(stream, group, poison, poison, 1));
        Assert.Equal(5, info.DeliveryCount);

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 6, EngineKit.Deadline, "all six acknowledged");
        await Eventually.WaitAsync(() => redis.PendingAsync(stream, group), n => n == 0, EngineKit.Deadline, "nothing pending");

        var letter = Assert.Single(await redis.AllAsync(options.Stream.DeadLetter.KeyFor(stream)));
        Assert.Equal(EntryErrorKind.TooManyDeliveries.ToWireName(), letter.GetField(DeadLetterFields.ErrorKind));
        Assert.Equal(poison, letter.GetField(DeadLetterFields.SourceId));
        Assert.Equal(stream, letter.GetField(DeadLetterFields.SourceStream));
        Assert.True(long.Parse(letter.GetField(DeadLetterFields.DeliveryCount)!, CultureInfo.InvariantCulture) > 3);
        Assert.Equal([new("pk", "poison"), new("note", "crashes whoever reads it")], EngineKit.Original(letter));

        var items = (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Select(i => i["pk"].S).Order().ToList();
        Assert.Equal(["k0", "k1", "k2", "k3", "k4"], items);
        Assert.Equal(1, engine.Totals.DeadLettered);
    }
}
