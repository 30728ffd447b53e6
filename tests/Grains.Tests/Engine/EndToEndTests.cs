using System.Globalization;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine;

[Trait("Category", "Integration")]
public sealed class EndToEndTests
{
    [Fact]
    public async Task Ten_thousand_entries_over_three_streams_all_arrive_nothing_stays_pending_and_the_checkpoints_count_them()
    {
        var streams = new[] { TestServers.Unique("orders"), TestServers.Unique("users"), TestServers.Unique("audit") };
        var options = WriterSilo.NewOptions(streams);
        await using var redis = EngineKit.Redis();

        // A backlog before start and more while running: both paths (catch-up and live) are exercised.
        const int total = 10_000;
        var expected = new Dictionary<string, (string Stream, string Seq)>(total);
        var last = new Dictionary<string, string>();
        async Task ProduceAsync(int from, int to)
        {
            var tasks = new List<(string Stream, Task<string> Id)>();
            for (var i = from; i < to; i++)
            {
                var stream = streams[i % streams.Length];
                var pk = string.Create(CultureInfo.InvariantCulture, $"{stream}-{i}");
                expected[pk] = (stream, i.ToString(CultureInfo.InvariantCulture));
                tasks.Add((stream, redis.XAddAsync(stream, [new("pk", pk), new("seq", i.ToString(CultureInfo.InvariantCulture)), new("stream", stream)])));
                if (tasks.Count % 500 == 0)
                {
                    await Task.WhenAll(tasks.Select(t => t.Id)); // a bounded pipeline, not 5,000 commands at once
                }
            }

            await Task.WhenAll(tasks.Select(t => t.Id));
            foreach (var (stream, id) in tasks)
            {
                last[stream] = id.Result; // one connection: IDs arrive in send order
            }
        }

        await ProduceAsync(0, total / 2);
        using var dynamo = TestTables.Client();
        await using (var silo = await WriterSilo.StartAsync(options))
        {
            await ProduceAsync(total / 2, total);
            await Eventually.WaitAsync(() => Task.FromResult(silo.Totals.Acknowledged), n => n >= total, TimeSpan.FromMinutes(3), "all entries acknowledged");

            // Checkpoint totals after the drain: every entry counted once, the position at the stream's last ID.
            foreach (var stream in streams)
            {
                var written = expected.Values.Count(v => v.Stream == stream);
                var checkpoint = await EngineKit.WaitForCheckpointAsync(dynamo, options, stream, written, last[stream]);
                Assert.Equal(0, checkpoint!.Skipped);
                Assert.Equal(0, checkpoint.DeadLettered);
                Assert.Equal(options.Stream.Group, checkpoint.Group);
                Assert.Equal(stream, checkpoint.Stream);
            }

            Assert.Equal(total, silo.Totals.Written);
        }

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
            Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
            // The final checkpoint on stop did not count anything twice.
            var final = await EngineKit.CheckpointAsync(dynamo, options, stream);
            Assert.Equal(expected.Values.Count(v => v.Stream == stream), final!.Written);
            Assert.Equal(last[stream], final.Position);
        }
    }
}
