using DynamoWriter.Streaming.Redis.Streams;
using Orleans.Providers.Streams.Common;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Tests;

public sealed class ReceiverTests : RedisTestBase
{
    [Fact]
    public async Task Reads_new_entries_in_order_one_container_per_stream_per_read()
    {
        var a = TestServers.Unique("a");
        var b = TestServers.Unique("b");
        var receiver = await ReceiverAsync(Options(a, b));
        var idsA = await AddAsync(a, 3);
        var idsB = await AddAsync(b, 2);

        var read = await ReadSomeAsync(receiver);

        Assert.Equal(2, read.Count);
        var byStream = read.Cast<RedisStreamBatchContainer>().ToDictionary(c => c.StreamId.GetKeyAsString());
        Assert.Equal(idsA, byStream[a].Entries.Select(e => e.Id));
        Assert.Equal(idsB, byStream[b].Entries.Select(e => e.Id));
        Assert.Equal(RedisStreamIds.For(a), byStream[a].StreamId);
        Assert.All(read.Cast<RedisStreamBatchContainer>(), c => Assert.Equal(receiver.Consumer, c.Consumer));
        Assert.Equal([new StreamField("n", "v0"), new StreamField("x", "y")], byStream[a].Entries[0].Fields);
        Assert.All(byStream[a].Entries, e => Assert.Equal(1, e.DeliveryCount));
        // Tokens of one queue grow in the order the containers were made.
        var tokens = read.Select(c => ((EventSequenceTokenV2)c.SequenceToken).SequenceNumber).ToList();
        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Distinct().Count(), tokens.Count);
        Assert.Equal(5, Totals.Read);
        // Delivery is not acknowledgement.
        await receiver.MessagesDeliveredAsync(read, CancellationToken.None);
        Assert.Equal(3, await PendingAsync(a));
    }

    [Fact]
    public async Task Entries_of_one_shape_share_their_field_name_strings_and_other_shapes_keep_their_own_names()
    {
        var s = TestServers.Unique("f");
        var receiver = await ReceiverAsync(Options(s));
        const string Long = "a-field-name-longer-than-eight-bytes";
        NameValueEntry[][] shapes =
        [
            [new("pk", "1"), new(Long, "a"), new("v", "x")],
            [new("pk", "2"), new(Long, "b"), new("v", "y")],
            [new("pk", "3"), new("other", "c"), new("v", "z"), new("extra", "e")],
            [new("pk", "4"), new(Long, "d")],
            [new("12345678901", "n"), new("pk", "5")],
            [new("1", "m"), new("pk", "6")],
            [new("1.0", "o"), new("pk", "7")],
        ];
        foreach (var fields in shapes)
        {
            await Db.StreamAddAsync(s, fields);
        }

        var entries = await ReadEntriesAsync(receiver, shapes.Length);

        for (var e = 0; e < shapes.Length; e++)
        {
            Assert.Equal(shapes[e].Select(f => new StreamField(f.Name!, f.Value!)), entries[e].Fields);
        }

        Assert.Same(entries[0].Fields[1].Name, entries[1].Fields[1].Name);
        Assert.Same(entries[0].Fields[0].Name, entries[3].Fields[0].Name);
        Assert.Same(entries[0].Fields[2].Name, entries[2].Fields[2].Name);
    }

    [Fact]
    public async Task MaxCount_limits_containers_and_every_stream_gets_its_turn()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => TestServers.Unique("m")).ToArray();
        var receiver = await ReceiverAsync(Options(keys));
        foreach (var k in keys)
        {
            await AddAsync(k, 2);
        }

        var seen = new HashSet<string>();
        await Eventually.WaitAsync(async () =>
        {
            var read = await receiver.GetQueueMessagesAsync(1, CancellationToken.None);
            Assert.True(read.Count <= 1);
            seen.UnionWith(read.Select(c => c.StreamId.GetKeyAsString()));
            return seen.Count;
        }, n => n == 3, TimeSpan.FromSeconds(15), "every stream read");
    }

    [Fact]
    public async Task Rereads_own_pending_first_with_delivery_counts()
    {
        var s = TestServers.Unique("p");
        var options = Options(s);
        var first = await ReceiverAsync(options);
        var ids = await AddAsync(s, 3);
        Assert.Equal(ids, (await ReadEntriesAsync(first, 3)).Select(e => e.Id));
        await first.Shutdown(TimeSpan.FromSeconds(5));
        var later = await AddAsync(s, 2, "new");

        // The same queue on another silo (same consumer name) re-reads its pending entries before new ones.
        var second = await ReceiverAsync(options);
        Assert.Equal(first.Consumer, second.Consumer);
        var entries = await ReadEntriesAsync(second, 5);

        Assert.Equal(ids.Concat(later), entries.Select(e => e.Id));
        Assert.All(entries.Take(3), e => Assert.Equal(2, e.DeliveryCount));
        Assert.All(entries.Skip(3), e => Assert.Equal(1, e.DeliveryCount));
    }

    [Fact]
    public async Task Deleted_pending_entries_are_acknowledged_and_not_delivered()
    {
        var s = TestServers.Unique("d");
        var options = Options(s);
        var first = await ReceiverAsync(options);
        var ids = await AddAsync(s, 3);
        await ReadEntriesAsync(first, 3);
        await Db.StreamDeleteAsync(s, [ids[1]]);

        var second = await ReceiverAsync(options);
        var entries = await ReadEntriesAsync(second, 2);

        Assert.Equal([ids[0], ids[2]], entries.Select(e => e.Id));
        var pending = await Db.StreamPendingMessagesAsync(s, "g", 10, RedisValue.Null);
        Assert.Equal([ids[0], ids[2]], pending.Select(p => (string)p.MessageId!));
    }

    [Fact]
    public async Task Autoclaim_takes_entries_idle_in_another_consumers_pending_list()
    {
        var s = TestServers.Unique("c");
        var options = Options(s);
        options.ClaimInterval = TimeSpan.FromMilliseconds(100);
        options.ClaimMinIdle = TimeSpan.FromMilliseconds(300);
        await Db.StreamCreateConsumerGroupAsync(s, "g", "0", createStream: true);
        var ids = await AddAsync(s, 4);
        // A crashed consumer read them and never acknowledged.
        Assert.Equal(4, (await Db.StreamReadGroupAsync(s, "g", "crashed", ">", 10)).Length);

        var receiver = await ReceiverAsync(options);
        var entries = await ReadEntriesAsync(receiver, 4);

        Assert.Equal(ids, entries.Select(e => e.Id));
        Assert.All(entries, e => Assert.Equal(2, e.DeliveryCount));
        var pending = await Db.StreamPendingMessagesAsync(s, "g", 10, RedisValue.Null);
        Assert.All(pending, p => Assert.Equal(receiver.Consumer, (string)p.ConsumerName!));
    }

    [Fact]
    public async Task Missing_group_is_created_at_the_start_position()
    {
        var s = TestServers.Unique("s");
        var ids = await AddAsync(s, 4);
        var options = Options(s);
        string? asked = null;
        options.GroupStartPosition = (stream, _) =>
        {
            asked = stream;
            return Task.FromResult<string?>(ids[1]);
        };

        var receiver = await ReceiverAsync(options);
        var entries = await ReadEntriesAsync(receiver, 2);

        Assert.Equal(s, asked);
        Assert.Equal(ids[2..], entries.Select(e => e.Id));
        var group = Assert.Single(await Db.StreamGroupInfoAsync(s));
        Assert.Equal(ids[3], (string)group.LastDeliveredId!);
    }

    [Fact]
    public async Task Missing_group_without_start_position_is_created_at_zero()
    {
        var s = TestServers.Unique("z");
        var ids = await AddAsync(s, 3);
        var receiver = await ReceiverAsync(Options(s));

        Assert.Equal(ids, (await ReadEntriesAsync(receiver, 3)).Select(e => e.Id));
    }

    [Fact]
    public async Task Group_deleted_mid_run_is_recreated_and_reading_goes_on()
    {
        var s = TestServers.Unique("n");
        var receiver = await ReceiverAsync(Options(s));
        var first = await AddAsync(s, 2);
        Assert.Equal(first, (await ReadEntriesAsync(receiver, 2)).Select(e => e.Id));

        await Db.ExecuteAsync("XGROUP", "DESTROY", s, "g");
        var after = await AddAsync(s, 2, "after");
        var entries = await ReadEntriesAsync(receiver, 4);

        // Recreated at 0 (no checkpoint): the whole stream again, in order.
        Assert.Equal(first.Concat(after), entries.Select(e => e.Id));
        Assert.Single(await Db.StreamGroupInfoAsync(s));
    }

    [Fact]
    public async Task Delivery_failure_makes_the_receiver_reread_its_pending_list()
    {
        var s = TestServers.Unique("f");
        var options = Options(s);
        var receiver = await ReceiverAsync(options);
        var ids = await AddAsync(s, 2);
        await ReadEntriesAsync(receiver, 2);

        receiver.RequestPendingReread(s);
        var again = await ReadEntriesAsync(receiver, 2);

        Assert.Equal(ids, again.Select(e => e.Id));
        Assert.All(again, e => Assert.Equal(2, e.DeliveryCount));
    }
}
