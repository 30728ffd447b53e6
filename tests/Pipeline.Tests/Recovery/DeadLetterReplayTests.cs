using DynamoWriter.Pipeline.DeadLetters;
using DynamoWriter.Redis;
using DynamoWriter.Tests;

namespace DynamoWriter.Pipeline.Tests.Recovery;

/// <summary>
/// Issue #3: <c>dynamo-writer dlq replay</c>. Dead-letter entries go back to their source stream with
/// their original fields only, and leave the dead-letter stream, one MULTI/EXEC each.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterReplayTests
{
    [Fact]
    public async Task Entries_dead_lettered_for_a_wrong_table_are_written_after_the_table_is_fixed_and_they_are_replayed()
    {
        var stream = TestServers.Unique("orders");
        var options = RecoveryKit.NewOptions(stream);
        await using var redis = RecoveryKit.Redis();
        using var dynamo = TestTables.Client();
        var dlq = options.Stream.DeadLetter.KeyFor(stream);

        // Orders are keyed by "order", but the stream was pointed at a table keyed by "pk".
        var sent = new List<StreamField[]>();
        for (var i = 0; i < 12; i++)
        {
            StreamField[] fields = [new("order", $"o-{i}"), new("amount", $"{i}.50"), new("tag", "a"), new("tag", "b")];
            sent.Add(fields);
            await redis.XAddAsync(stream, fields);
        }

        await using (var engine = await EngineHost.StartAsync(options))
        {
            await Eventually.WaitAsync(() => Task.FromResult(engine.Engine.EntriesAcknowledged), n => n >= 12, RecoveryKit.Deadline, "all dead-lettered");
            Assert.Equal(12, engine.Engine.EntriesDeadLettered);
        }

        var letters = await RecoveryKit.AllAsync(redis, dlq);
        Assert.Equal(12, letters.Count);
        Assert.All(letters, l => Assert.Equal("missing-key", l.GetField(DeadLetterFields.ErrorKind)));

        // The fix: a table keyed by "order" for this stream. Then the replay, then the engine again.
        var fixedTable = TestServers.Unique("orders-by-id");
        await RecoveryKit.CreateTableAsync(dynamo, fixedTable, "order", Amazon.DynamoDBv2.ScalarAttributeType.S);
        options.DynamoDB.Tables[stream] = fixedTable;
        var result = await new DeadLetterReplayer(redis).ReplayAsync(dlq, stream);
        Assert.Equal(new DeadLetterReplayResult(12, 0), result);
        Assert.Equal(0, await redis.XLenAsync(dlq));

        var replayed = (await RecoveryKit.AllAsync(redis, stream)).Skip(12).ToList();
        Assert.Equal(12, replayed.Count);
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(sent[i], replayed[i].Fields); // original fields, in order, repeated names kept, no dw:
        }

        await using (var engine = await EngineHost.StartAsync(options))
        {
            await Eventually.WaitAsync(() => Task.FromResult(engine.Engine.EntriesAcknowledged), n => n >= 12, RecoveryKit.Deadline, "replayed entries written");
            Assert.Equal(12, engine.Engine.EntriesWritten);
            Assert.Equal(0, engine.Engine.EntriesDeadLettered);
        }

        var items = await TestTables.ScanAllAsync(dynamo, fixedTable);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"o-{i}").Order(), items.Select(i => i["order"].S).Order());
        Assert.All(items, i => Assert.Equal("b", i["tag"].S));
        Assert.Equal(0, await redis.XLenAsync(dlq));
        Assert.Equal(0, await RecoveryKit.PendingAsync(redis, stream, options.Stream.Group));
    }

    [Fact]
    public async Task Replay_moves_oldest_first_up_to_count_and_keeps_the_rest()
    {
        var stream = TestServers.Unique("src");
        var dlq = stream + ":dlq";
        await using var redis = RecoveryKit.Redis();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await AddLetterAsync(redis, dlq, stream, [new("pk", $"k{i}")]));
        }

        var replayer = new DeadLetterReplayer(redis);
        Assert.Equal(new DeadLetterReplayResult(3, 0), await replayer.ReplayAsync(dlq, stream, count: 3));
        Assert.Equal(ids.Skip(3), (await RecoveryKit.AllAsync(redis, dlq)).Select(e => e.Id));
        Assert.Equal(["k0", "k1", "k2"], (await RecoveryKit.AllAsync(redis, stream)).Select(e => e.GetField("pk")));

        Assert.Equal(new DeadLetterReplayResult(0, 0), await replayer.ReplayAsync(dlq, stream, count: 0));
        Assert.Equal(new DeadLetterReplayResult(4, 0), await replayer.ReplayAsync(dlq, stream));
        Assert.Equal(["k0", "k1", "k2", "k3", "k4", "k5", "k6"], (await RecoveryKit.AllAsync(redis, stream)).Select(e => e.GetField("pk")));
        Assert.Equal(0, await redis.XLenAsync(dlq));
        Assert.Equal(new DeadLetterReplayResult(0, 0), await replayer.ReplayAsync(dlq, stream));
    }

    [Fact]
    public async Task A_shared_dead_letter_stream_sends_each_entry_to_its_own_source_stream()
    {
        var a = TestServers.Unique("a");
        var b = TestServers.Unique("b");
        var fallback = TestServers.Unique("fallback");
        var dlq = TestServers.Unique("all-dlq");
        await using var redis = RecoveryKit.Redis();
        await AddLetterAsync(redis, dlq, a, [new("pk", "for-a")]);
        await AddLetterAsync(redis, dlq, b, [new("pk", "for-b")]);
        await redis.XAddAsync(dlq, [new("pk", "no-source"), new("dw:error-kind", "missing-key")]);
        // Only DynamoWriter's fields: nothing to replay, so it stays (XADD needs a field).
        var empty = await redis.XAddAsync(dlq, [new("dw:source-stream", a), new("dw:error-kind", "missing-key")]);
        var large = new string('x', 200_000);
        await AddLetterAsync(redis, dlq, b, [new("pk", "big"), new("data", large)]);

        var result = await new DeadLetterReplayer(redis).ReplayAsync(dlq, fallback);
        Assert.Equal(new DeadLetterReplayResult(4, 1), result);
        Assert.Equal([empty], (await RecoveryKit.AllAsync(redis, dlq)).Select(e => e.Id));
        Assert.Equal([[new StreamField("pk", "for-a")]], (await RecoveryKit.AllAsync(redis, a)).Select(e => e.Fields));
        Assert.Equal([[new StreamField("pk", "for-b")], [new StreamField("pk", "big"), new StreamField("data", large)]], (await RecoveryKit.AllAsync(redis, b)).Select(e => e.Fields));
        Assert.Equal([[new StreamField("pk", "no-source")]], (await RecoveryKit.AllAsync(redis, fallback)).Select(e => e.Fields));
    }

    [Fact]
    public async Task Replay_refuses_a_source_key_that_is_not_a_stream_and_removes_nothing()
    {
        var stream = TestServers.Unique("notastream");
        var dlq = stream + ":dlq";
        await using var redis = RecoveryKit.Redis();
        await redis.SetAsync(stream, "a string");
        await AddLetterAsync(redis, dlq, stream, [new("pk", "k")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new DeadLetterReplayer(redis).ReplayAsync(dlq, stream));
        Assert.Contains("not a stream", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await redis.XLenAsync(dlq));
    }

    /// <summary>A dead-letter entry as DeadLetterWriter writes it: original fields, then DynamoWriter's.</summary>
    private static Task<string> AddLetterAsync(RedisClient redis, string dlq, string source, StreamField[] original) =>
        redis.XAddAsync(dlq,
        [
            .. original,
            new(DeadLetterFields.SourceStream, source),
            new(DeadLetterFields.SourceId, "1-1"),
            new(DeadLetterFields.ErrorKind, "missing-key"),
            new(DeadLetterFields.Error, "key attribute 'pk' is missing"),
            new(DeadLetterFields.DeliveryCount, "1"),
            new(DeadLetterFields.Time, DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        ]);
}
