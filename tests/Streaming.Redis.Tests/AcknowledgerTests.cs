using DynamoWriter.Streaming.Redis.Storage;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Tests;

public sealed class AcknowledgerTests : RedisTestBase
{
    private async Task<(string Stream, string[] Ids, List<StreamEntry> Entries, RedisStreamAcknowledger Ack)> ArrangeAsync(int count)
    {
        var s = TestServers.Unique("k");
        var options = Options(s);
        var receiver = await ReceiverAsync(options);
        var ids = await AddAsync(s, count);
        var entries = await ReadEntriesAsync(receiver, count);
        return (s, ids, entries, new RedisStreamAcknowledger(Storage(options)));
    }

    [Fact]
    public async Task Acknowledge_clears_the_pending_entries_and_counts()
    {
        var (s, ids, _, ack) = await ArrangeAsync(3);

        await ack.AcknowledgeAsync(s, ids[..2], CancellationToken.None);

        Assert.Equal(1, await PendingAsync(s));
        Assert.Equal(2, Totals.Acknowledged);
    }

    [Fact]
    public async Task Dead_letter_adds_exact_fields_and_acknowledges_the_originals()
    {
        var (s, ids, entries, ack) = await ArrangeAsync(2);
        var letters = entries.Select((e, i) => new DeadLetter(e with { DeliveryCount = 7 }, "malformed-json", $"bad {i}")).ToList();

        await ack.DeadLetterAsync(s, letters, CancellationToken.None);

        Assert.Equal(0, await PendingAsync(s));
        var dead = await Db.StreamRangeAsync(ack.DeadLetterStreamFor(s));
        Assert.Equal($"{s}:dlq", ack.DeadLetterStreamFor(s));
        Assert.Equal(2, dead.Length);
        for (var i = 0; i < 2; i++)
        {
            var fields = dead[i].Values.Select(v => ((string)v.Name!, (string)v.Value!)).ToArray();
            Assert.Equal(
                new[] { "n", "x", DeadLetterFields.SourceStream, DeadLetterFields.SourceId, DeadLetterFields.ErrorKind, DeadLetterFields.Error, DeadLetterFields.DeliveryCount, DeadLetterFields.Time },
                fields.Select(f => f.Item1));
            Assert.Equal(new[] { $"v{i}", "y", s, ids[i], "malformed-json", $"bad {i}", "7" }, fields.Take(7).Select(f => f.Item2));
            Assert.True(DateTimeOffset.TryParse(fields[7].Item2, out _));
        }

        Assert.Equal(2, Totals.DeadLettered);
        Assert.Equal(2, Totals.Acknowledged);
    }

    [Fact]
    public async Task Dead_letter_key_of_another_type_changes_nothing_and_throws()
    {
        var (s, _, entries, ack) = await ArrangeAsync(2);
        await Db.StringSetAsync(ack.DeadLetterStreamFor(s), "not a stream");

        var ex = await Assert.ThrowsAsync<DeadLetterStreamException>(() =>
            ack.DeadLetterAsync(s, [.. entries.Select(e => new DeadLetter(e, "missing-key", "no key"))], CancellationToken.None));

        Assert.Contains(ack.DeadLetterStreamFor(s), ex.Message);
        Assert.Contains("string", ex.Message);
        Assert.Equal(2, await PendingAsync(s));
        Assert.Equal("not a stream", (string?)await Db.StringGetAsync(ack.DeadLetterStreamFor(s)));
        Assert.Equal(0, Totals.Acknowledged);
    }

    [Fact]
    public async Task Keep_resets_the_idle_time_of_held_entries()
    {
        var (s, ids, entries, ack) = await ArrangeAsync(1);
        var consumer = (string)(await Db.StreamPendingMessagesAsync(s, "g", 1, RedisValue.Null))[0].ConsumerName!;
        await Eventually.WaitAsync(async () => (await Db.StreamPendingMessagesAsync(s, "g", 1, RedisValue.Null))[0].IdleTimeInMilliseconds,
            idle => idle >= 300, TimeSpan.FromSeconds(10), "the entry to go idle");

        var before = (await Db.StreamPendingMessagesAsync(s, "g", 1, RedisValue.Null))[0];

        await ack.KeepAsync(s, consumer, ids, CancellationToken.None);

        var after = (await Db.StreamPendingMessagesAsync(s, "g", 1, RedisValue.Null))[0];
        Assert.Equal(before.DeliveryCount, after.DeliveryCount);
        Assert.True(after.IdleTimeInMilliseconds < 300, $"idle {after.IdleTimeInMilliseconds} ms");
        Assert.Equal(consumer, (string)after.ConsumerName!);
        Assert.Single(entries);
    }
}
