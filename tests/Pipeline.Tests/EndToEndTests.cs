using System.Globalization;
using DynamoWriter.Redis;
using DynamoWriter.Tests;

namespace DynamoWriter.Pipeline.Tests;

[Trait("Category", "Integration")]
public sealed class EndToEndTests
{
    [Fact]
    public async Task Ten_thousand_entries_over_three_streams_all_arrive_and_nothing_stays_pending()
    {
        var streams = new[] { TestServers.Unique("orders"), TestServers.Unique("users"), TestServers.Unique("audit") };
        var options = EngineHost.NewOptions(streams);
        await using var redis = new RedisClient(new RedisClientOptions { Address = TestServers.RedisAddress });

        // A backlog before start and more while running: both paths (catch-up and live) are exercised.
        const int total = 10_000;
        var expected = new Dictionary<string, (string Stream, string Seq)>(total);
        async Task ProduceAsync(int from, int to)
        {
            var tasks = new List<Task<string>>();
            for (var i = from; i < to; i++)
            {
                var stream = streams[i % streams.Length];
                var pk = string.Create(CultureInfo.InvariantCulture, $"{stream}-{i}");
                expected[pk] = (stream, i.ToString(CultureInfo.InvariantCulture));
                tasks.Add(redis.XAddAsync(stream, [new("pk", pk), new("seq", i.ToString(CultureInfo.InvariantCulture)), new("stream", stream)]));
            }

            await Task.WhenAll(tasks);
        }

        await ProduceAsync(0, total / 2);
        await using (var host = await EngineHost.StartAsync(options))
        {
            await ProduceAsync(total / 2, total);
            await Eventually.WaitAsync(() => Task.FromResult(host.Engine.EntriesAcknowledged), n => n >= total, TimeSpan.FromMinutes(3), "all entries acknowledged");
        }

        using var dynamo = TestTables.Client();
        var items = await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName);
        Assert.Equal(total, items.Count);
        foreach (var item in items)
        {
            var pk = item["pk"].S;
            Assert.True(expected.TryGetValue(pk, out var want), $"unexpected item {pk}");
            Assert.Equal(want.Seq, item["seq"].S);
            Assert.Equal(want.Stream, item["stream"].S);
            Assert.Equal(3, item.Count);
        }

        foreach (var stream in streams)
        {
            var pending = await redis.XPendingAsync(stream, options.Stream.Group);
            Assert.Equal(0, pending.Count);
        }
    }
}
