using System.Globalization;
using DynamoWriter.DeadLetters;
using DynamoWriter.Grains.Operations.DeadLetters;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Tests;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Tests.Operations.DeadLetters;

/// <summary>
/// <c>dynamo-writer dlq replay</c>: dead-letter entries go back to their source stream with their original
/// fields only, and leave the dead-letter stream, one atomic move each.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterReplayTests
{
    [Fact]
    public async Task Replay_moves_oldest_first_up_to_count_and_keeps_the_rest()
    {
        var stream = TestServers.Unique("src");
        var dlq = stream + ":dlq";
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await AddLetterAsync(db, dlq, stream, [new("pk", $"k{i}")]));
        }

        var replayer = new DeadLetterReplayer(redis);
        Assert.Equal(new DeadLetterReplayResult(3, 0), await replayer.ReplayAsync(dlq, stream, count: 3));
        Assert.Equal(ids.Skip(3), (await OperationsKit.AllAsync(db, dlq)).Select(e => e.Id));
        Assert.Equal(["k0", "k1", "k2"], (await OperationsKit.AllAsync(db, stream)).Select(e => OperationsKit.Field(e.Fields, "pk")));

        Assert.Equal(new DeadLetterReplayResult(0, 0), await replayer.ReplayAsync(dlq, stream, count: 0));
        Assert.Equal(new DeadLetterReplayResult(4, 0), await replayer.ReplayAsync(dlq, stream));
        Assert.Equal(["k0", "k1", "k2", "k3", "k4", "k5", "k6"], (await OperationsKit.AllAsync(db, stream)).Select(e => OperationsKit.Field(e.Fields, "pk")));
        Assert.Equal(0, await db.StreamLengthAsync(dlq));
        Assert.Equal(new DeadLetterReplayResult(0, 0), await replayer.ReplayAsync(dlq, stream));
        await db.KeyDeleteAsync([stream, dlq]);
    }

    [Fact]
    public async Task A_shared_dead_letter_stream_sends_each_entry_to_its_own_source_stream_with_its_original_fields()
    {
        var a = TestServers.Unique("a");
        var b = TestServers.Unique("b");
        var fallback = TestServers.Unique("fallback");
        var dlq = TestServers.Unique("all-dlq");
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        // Repeated names and their order survive the round trip.
        await AddLetterAsync(db, dlq, a, [new("pk", "for-a"), new("tag", "x"), new("tag", "y")]);
        await AddLetterAsync(db, dlq, b, [new("pk", "for-b")]);
        await db.StreamAddAsync(dlq, [new NameValueEntry("pk", "no-source"), new NameValueEntry(DeadLetterFields.ErrorKind, "missing-key")]);
        // Only DynamoWriter's fields: nothing to replay, so it stays (XADD needs a field).
        var empty = (string)(await db.StreamAddAsync(dlq, [new NameValueEntry(DeadLetterFields.SourceStream, a), new NameValueEntry(DeadLetterFields.ErrorKind, "missing-key")]))!;
        var large = new string('x', 200_000);
        await AddLetterAsync(db, dlq, b, [new("pk", "big"), new("data", large)]);

        var result = await new DeadLetterReplayer(redis).ReplayAsync(dlq, fallback);

        Assert.Equal(new DeadLetterReplayResult(4, 1), result);
        Assert.Equal([empty], (await OperationsKit.AllAsync(db, dlq)).Select(e => e.Id));
        Assert.Equal([[new StreamField("pk", "for-a"), new StreamField("tag", "x"), new StreamField("tag", "y")]], (await OperationsKit.AllAsync(db, a)).Select(e => e.Fields));
        Assert.Equal([[new StreamField("pk", "for-b")], [new StreamField("pk", "big"), new StreamField("data", large)]], (await OperationsKit.AllAsync(db, b)).Select(e => e.Fields));
        Assert.Equal([[new StreamField("pk", "no-source")]], (await OperationsKit.AllAsync(db, fallback)).Select(e => e.Fields));
        await db.KeyDeleteAsync([a, b, fallback, dlq]);
    }

    [Fact]
    public async Task Replay_keeps_the_operation_field_so_a_dead_lettered_delete_is_still_a_delete()
    {
        var stream = TestServers.Unique("tomb");
        var dlq = stream + ":dlq";
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        StreamField[] tombstone = [new("dw:op", "delete"), new("pk", "k1")];
        await AddLetterAsync(db, dlq, stream, tombstone);

        Assert.Equal(new DeadLetterReplayResult(1, 0), await new DeadLetterReplayer(redis).ReplayAsync(dlq, stream));
        Assert.Equal([tombstone], (await OperationsKit.AllAsync(db, stream)).Select(e => e.Fields));
        await db.KeyDeleteAsync([stream, dlq]);
    }

    [Fact]
    public async Task An_entry_with_more_fields_than_a_script_takes_is_moved_too()
    {
        var stream = TestServers.Unique("wide");
        var dlq = stream + ":dlq";
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        var fields = Enumerable.Range(0, 5000).Select(i => new StreamField($"f{i}", i.ToString(CultureInfo.InvariantCulture))).ToArray();
        await AddLetterAsync(db, dlq, stream, fields);

        Assert.Equal(new DeadLetterReplayResult(1, 0), await new DeadLetterReplayer(redis).ReplayAsync(dlq, stream));
        Assert.Equal([fields], (await OperationsKit.AllAsync(db, stream)).Select(e => e.Fields));
        Assert.Equal(0, await db.StreamLengthAsync(dlq));
        await db.KeyDeleteAsync([stream, dlq]);
    }

    [Fact]
    public async Task Replay_refuses_a_source_key_that_is_not_a_stream_and_removes_nothing()
    {
        var stream = TestServers.Unique("notastream");
        var dlq = stream + ":dlq";
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        await db.StringSetAsync(stream, "a string");
        await AddLetterAsync(db, dlq, stream, [new("pk", "k")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new DeadLetterReplayer(redis).ReplayAsync(dlq, stream));
        Assert.Contains("not a stream", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await db.StreamLengthAsync(dlq));
        await db.KeyDeleteAsync([stream, dlq]);
    }

    /// <summary>A dead-letter entry as the provider writes it: original fields, then DynamoWriter's.</summary>
    private static async Task<string> AddLetterAsync(IDatabase db, string dlq, string source, StreamField[] original) =>
        (string)(await db.StreamAddAsync(dlq,
        [
            .. original.Select(f => new NameValueEntry(f.Name, f.Value)),
            new NameValueEntry(DeadLetterFields.SourceStream, source),
            new NameValueEntry(DeadLetterFields.SourceId, "1-1"),
            new NameValueEntry(DeadLetterFields.ErrorKind, "missing-key"),
            new NameValueEntry(DeadLetterFields.Error, "key attribute 'pk' is missing"),
            new NameValueEntry(DeadLetterFields.DeliveryCount, "1"),
            new NameValueEntry(DeadLetterFields.Time, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
        ]))!;
}
