using DynamoWriter.Redis.Tests.Fakes;
using DynamoWriter.Tests;

namespace DynamoWriter.Redis.Tests.Integration;

[Trait("Category", "Integration")]
public class StreamIntegrationTests
{
    private static StreamField[] Fields(int i) => [new("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("body", $"entry {i} \u2713")];

    [Fact]
    public async Task Group_create_with_mkstream_is_idempotent()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");

        Assert.True(await client.XGroupCreateAsync(stream, "g", "0", mkStream: true).Within());
        Assert.False(await client.XGroupCreateAsync(stream, "g", "0", mkStream: true).Within());
        Assert.Equal(0, await client.XLenAsync(stream).Within());

        var missing = await Assert.ThrowsAsync<RedisServerException>(() => client.XGroupCreateAsync(TestServers.Unique("s"), "g", "$", mkStream: false).Within());
        Assert.Equal("ERR", missing.ErrorCode);

        Assert.True(await client.XGroupDestroyAsync(stream, "g").Within());
        Assert.False(await client.XGroupDestroyAsync(stream, "g").Within());
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Add_read_ack_and_pending()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await client.XGroupCreateAsync(stream, "g", "0", mkStream: true).Within();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await client.XAddAsync(stream, Fields(i)).Within());
        }

        Assert.True(StreamEntryId.Parse(ids[0]) < StreamEntryId.Parse(ids[4]));
        var first = await client.XReadGroupAsync("g", "c1", [(stream, ">")], 3, block: null).Within();
        Assert.Equal(ids.Take(3), first.Select(e => e.Id));
        Assert.All(first, e => Assert.Equal(stream, e.Stream));
        Assert.Equal([new StreamField("n", "0"), new StreamField("body", "entry 0 \u2713")], first[0].Fields);

        var rest = await client.XReadGroupAsync("g", "c2", [(stream, ">")], 10, TimeSpan.FromMilliseconds(50)).Within();
        Assert.Equal(ids.Skip(3), rest.Select(e => e.Id));

        var summary = await client.XPendingAsync(stream, "g").Within();
        Assert.Equal(5, summary.Count);
        Assert.Equal(ids[0], summary.SmallestId);
        Assert.Equal(ids[4], summary.LargestId);
        Assert.Equal([new ConsumerPendingCount("c1", 3), new ConsumerPendingCount("c2", 2)], summary.Consumers.OrderBy(c => c.Consumer));

        var c1Pending = await client.XPendingRangeAsync(stream, "g", "-", "+", 10, consumer: "c1").Within();
        Assert.Equal(ids.Take(3), c1Pending.Select(p => p.Id));
        Assert.All(c1Pending, p => { Assert.Equal("c1", p.Consumer); Assert.Equal(1, p.DeliveryCount); Assert.True(p.Idle >= TimeSpan.Zero); });
        Assert.Empty(await client.XPendingRangeAsync(stream, "g", "-", "+", 10, minIdle: TimeSpan.FromHours(1)).Within());

        Assert.Equal(2, await client.XAckAsync(stream, "g", [ids[0], ids[1], "0-1"]).Within());
        Assert.Equal(3, (await client.XPendingAsync(stream, "g").Within()).Count);

        // Re-reading the consumer's own pending list from 0 returns what it has not acknowledged.
        var again = await client.XReadGroupAsync("g", "c1", [(stream, "0")], 10, block: null).Within();
        Assert.Equal([ids[2]], again.Select(e => e.Id));
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Block_timeout_returns_an_empty_list()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await client.XGroupCreateAsync(stream, "g", "$", mkStream: true).Within();

        var entries = await client.XReadGroupAsync("g", "c", [(stream, ">")], 10, TimeSpan.FromMilliseconds(20)).Within();

        Assert.Empty(entries);
        await client.PingAsync().Within();
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Blocked_read_wakes_up_on_a_new_entry()
    {
        await using var reader = RealRedis.Client();
        await using var writer = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await writer.XGroupCreateAsync(stream, "g", "$", mkStream: true).Within();

        var read = reader.XReadGroupAsync("g", "c", [(stream, ">")], 10, TimeSpan.Zero);
        await Wait.UntilAsync(async () => (await writer.ExecuteAsync(["CLIENT", "LIST", "TYPE", "normal"])).AsString()!.Contains("cmd=xreadgroup", StringComparison.Ordinal), "the reader to block");
        var id = await writer.XAddAsync(stream, Fields(1)).Within();

        Assert.Equal(id, Assert.Single(await read.Within()).Id);
        await writer.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Cancelling_a_blocked_read_on_a_real_server_reconnects()
    {
        await using var client = RealRedis.Client();
        await using var admin = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await client.XGroupCreateAsync(stream, "g", "$", mkStream: true).Within();
        using var cts = new CancellationTokenSource();

        var read = client.XReadGroupAsync("g", "c", [(stream, ">")], 10, TimeSpan.Zero, cts.Token);
        await Wait.UntilAsync(async () => (await admin.ExecuteAsync(["CLIENT", "LIST", "TYPE", "normal"])).AsString()!.Contains("cmd=xreadgroup", StringComparison.Ordinal), "the reader to block");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.Within());
        var id = await client.XAddAsync(stream, Fields(1)).Within();
        Assert.Equal(id, Assert.Single(await client.XReadGroupAsync("g", "c", [(stream, ">")], 10, TimeSpan.FromMilliseconds(100)).Within()).Id);
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Read_from_several_streams()
    {
        await using var client = RealRedis.Client();
        var a = TestServers.Unique("a");
        var b = TestServers.Unique("b");
        await client.XGroupCreateAsync(a, "g", "0", mkStream: true).Within();
        await client.XGroupCreateAsync(b, "g", "0", mkStream: true).Within();
        var idA = await client.XAddAsync(a, Fields(1)).Within();
        var idB = await client.XAddAsync(b, Fields(2)).Within();

        var entries = await client.XReadGroupAsync("g", "c", [(a, ">"), (b, ">")], 10, TimeSpan.FromMilliseconds(10)).Within();

        Assert.Equal([(a, idA), (b, idB)], entries.Select(e => (e.Stream, e.Id)).Order());
        await client.DelAsync([a, b]).Within();
    }

    [Fact]
    public async Task Deleted_entries_come_back_with_no_fields_from_the_pending_list_and_auto_claim()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await client.XGroupCreateAsync(stream, "g", "0", mkStream: true).Within();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await client.XAddAsync(stream, Fields(i)).Within());
        }

        await client.XReadGroupAsync("g", "c1", [(stream, ">")], 10, block: null).Within();
        await client.ExecuteAsync(["XDEL", stream, ids[1]]).Within();

        var pel = await client.XReadGroupAsync("g", "c1", [(stream, "0")], 10, block: null).Within();
        Assert.Equal(ids, pel.Select(e => e.Id));
        Assert.Empty(pel[1].Fields);
        Assert.NotEmpty(pel[2].Fields);

        var claimed = await client.XAutoClaimAsync(stream, "g", "c2", TimeSpan.Zero, "0-0", 10).Within();
        Assert.Equal("0-0", claimed.NextStart);
        Assert.Equal([ids[0], ids[2], ids[3]], claimed.Entries.Select(e => e.Id));
        Assert.All(claimed.Entries, e => Assert.NotEmpty(e.Fields));
        Assert.Equal([ids[1]], claimed.DeletedIds);

        var pending = await client.XPendingRangeAsync(stream, "g", "-", "+", 10).Within();
        Assert.Equal([ids[0], ids[2], ids[3]], pending.Select(p => p.Id));
        // First read, the re-read from 0, and the claim each count as a delivery.
        Assert.All(pending, p => { Assert.Equal("c2", p.Consumer); Assert.Equal(3, p.DeliveryCount); });

        var page = await client.XAutoClaimAsync(stream, "g", "c1", TimeSpan.Zero, "0-0", 1).Within();
        Assert.Single(page.Entries);
        Assert.NotEqual("0-0", page.NextStart);
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Info_len_trim_range_and_consumers()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await client.XGroupCreateAsync(stream, "g", "0", mkStream: true).Within();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await client.XAddAsync(stream, Fields(i)).Within());
        }

        await client.XReadGroupAsync("g", "c1", [(stream, ">")], 2, block: null).Within();

        var info = await client.XInfoStreamAsync(stream).Within();
        Assert.Equal(new StreamInfo(6, ids[0], ids[5], ids[5], 1), info);

        var group = Assert.Single(await client.XInfoGroupsAsync(stream).Within());
        Assert.Equal(new GroupInfo("g", 1, 2, ids[1], 2, 4), group);

        var consumer = Assert.Single(await client.XInfoConsumersAsync(stream, "g").Within());
        Assert.Equal("c1", consumer.Name);
        Assert.Equal(2, consumer.Pending);
        Assert.True(consumer.Idle >= TimeSpan.Zero);

        Assert.Equal(ids, (await client.XRangeAsync(stream, "-", "+").Within()).Select(e => e.Id));
        Assert.Equal(ids.Skip(2).Take(2), (await client.XRangeAsync(stream, ids[2], "+", count: 2).Within()).Select(e => e.Id));

        Assert.Equal(3, await client.XTrimMinIdAsync(stream, ids[3]).Within());
        Assert.Equal(3, await client.XLenAsync(stream).Within());
        Assert.True(await client.XTrimMinIdAsync(stream, ids[5], approximate: true).Within() >= 0);

        Assert.Equal(2, await client.XGroupDelConsumerAsync(stream, "g", "c1").Within());
        Assert.Empty(await client.XInfoConsumersAsync(stream, "g").Within());

        var missing = await Assert.ThrowsAsync<RedisServerException>(() => client.XInfoStreamAsync(TestServers.Unique("none")).Within());
        Assert.Equal("ERR", missing.ErrorCode);
        var noGroup = await Assert.ThrowsAsync<RedisServerException>(() => client.XReadGroupAsync("nogroup", "c", [(stream, ">")], 1, block: null).Within());
        Assert.Equal("NOGROUP", noGroup.ErrorCode);
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Empty_stream_info_has_no_first_or_last_entry()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await client.XGroupCreateAsync(stream, "g", "$", mkStream: true).Within();

        var info = await client.XInfoStreamAsync(stream).Within();

        Assert.Equal(0, info.Length);
        Assert.Null(info.FirstEntryId);
        Assert.Null(info.LastEntryId);
        Assert.Equal(1, info.Groups);
        var summary = await client.XPendingAsync(stream, "g").Within();
        Assert.Equal(0, summary.Count);
        Assert.Null(summary.SmallestId);
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Explicit_ids_and_pipelined_adds()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");

        Assert.Equal("5-1", await client.XAddAsync(stream, Fields(0), "5-1").Within());
        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.XAddAsync(stream, Fields(0), "5-1").Within());
        Assert.Equal("ERR", error.ErrorCode);

        var adds = Enumerable.Range(0, 5000).Select(i => client.XAddAsync(stream, Fields(i))).ToArray();
        var ids = await Task.WhenAll(adds).Within();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(5001, await client.XLenAsync(stream).Within());
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Missing_groups_and_keys_on_a_real_server()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");

        var read = await Assert.ThrowsAsync<RedisServerException>(() => client.XReadGroupAsync("g", "c", [(stream, ">")], 10, block: null).Within());
        Assert.Equal("NOGROUP", read.ErrorCode);
        var claim = await Assert.ThrowsAsync<RedisServerException>(() => client.XAutoClaimAsync(stream, "g", "c", TimeSpan.Zero, "0-0", 10).Within());
        Assert.Equal("NOGROUP", claim.ErrorCode);
        Assert.Empty(await client.XRangeAsync(stream, "-", "+").Within());

        await client.ExecuteAsync(["SET", stream, "not a stream"]).Within();
        var range = await Assert.ThrowsAsync<RedisServerException>(() => client.XRangeAsync(stream, "-", "+").Within());
        Assert.Equal("WRONGTYPE", range.ErrorCode);
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task A_large_batch_reads_back_exactly_as_added()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("s");
        await client.XGroupCreateAsync(stream, "g", "0", mkStream: true).Within();
        var random = new Random(11);
        var added = new List<(string Id, StreamField[] Fields)>();
        for (var i = 0; i < 1000; i++)
        {
            var value = new string(Enumerable.Range(0, random.Next(0, 3000)).Select(_ => "ab\r\n\u00e9\u2713"[random.Next(6)]).ToArray());
            StreamField[] fields = i % 3 == 0
                ? [new("payload", value)]
                : [new("payload", value), new("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("payload", "again")];
            added.Add((await client.XAddAsync(stream, fields).Within(), fields));
        }

        var read = await client.XReadGroupAsync("g", "c", [(stream, ">")], 1000, block: null).Within();
        var range = await client.XRangeAsync(stream, "-", "+").Within();
        var claimed = await client.XAutoClaimAsync(stream, "g", "c2", TimeSpan.Zero, "0-0", 1000).Within();

        foreach (var entries in new[] { read, range, claimed.Entries })
        {
            Assert.Equal(added.Select(a => a.Id), entries.Select(e => e.Id));
            for (var i = 0; i < added.Count; i++)
            {
                Assert.Equal(stream, entries[i].Stream);
                Assert.Equal(added[i].Fields, entries[i].Fields);
            }
        }

        await client.DelAsync([stream]).Within();
    }
}
