using DynamoWriter.Tests;
using Xunit.Abstractions;

namespace DynamoWriter.Grains.Tests.Engine.Scale;

/// <summary>
/// Issue 11: an Orleans app's silo without DynamoWriter shares the writer silos' cluster. Orleans' default
/// queue balancer would give it queues that nobody then reads; ours spreads them over the writer silos only.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MixedClusterTests(ITestOutputHelper output)
{
    private const int QueueCount = 8;
    private const int PerStream = 400;

    [Fact]
    public async Task An_app_silo_without_the_provider_owns_no_queue_and_the_two_writer_silos_write_every_entry()
    {
        var streams = Enumerable.Range(0, QueueCount).Select(i => TestServers.Unique($"mixed{i}")).ToArray();
        var options = WriterSilo.NewOptions(streams);
        options.Orleans.Queues = QueueCount;
        await using var redis = EngineKit.Redis();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await using var first = await WriterSilo.StartAsync(options);
        using var app = await AppSilo.StartAsync(options, joining: first);
        await using var second = await WriterSilo.StartAsync(options, joining: first);
        var writers = new[] { first, second };
        // The writer silos between them read every queue, each queue once: none is left to the app silo.
        await Eventually.WaitAsync(() => Task.FromResult(writers.SelectMany(w => w.Queues).ToList()),
            q => q.Count == QueueCount && q.Distinct().Count() == QueueCount, EngineKit.Deadline, "the writer silos to own every queue once");
        output.WriteLine($"queues owned after {clock.Elapsed.TotalSeconds:F1}s: first {string.Join(",", first.Queues)}; second {string.Join(",", second.Queues)}");
        Assert.All(writers, w => Assert.NotEmpty(w.Queues));

        foreach (var stream in streams)
        {
            for (var i = 0; i < PerStream; i++)
            {
                await redis.XAddAsync(stream, [new("pk", $"{stream}-{i}")]);
            }
        }

        await Eventually.WaitAsync(() => OpenAsync(redis, streams, options.Stream.Group), n => n == 0, EngineKit.Deadline, "every entry delivered and acknowledged");
        output.WriteLine($"all {streams.Length * PerStream} entries acknowledged after {clock.Elapsed.TotalSeconds:F1}s");

        using var dynamo = TestTables.Client();
        Assert.Equal(streams.Length * PerStream, (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Count);
        foreach (var stream in streams)
        {
            Assert.Equal(0, await redis.XLenAsync($"{stream}:dlq"));
        }

        Assert.Equal(streams.Length * PerStream, first.Totals.Written + second.Totals.Written);
        await app.StopAsync();
    }

    /// <summary>Entries pending or not yet delivered to the group, over all streams.</summary>
    private static async Task<long> OpenAsync(TestRedis redis, string[] streams, string group)
    {
        var open = 0L;
        foreach (var stream in streams)
        {
            open += await redis.PendingAsync(stream, group);
            open += (await redis.GroupsAsync(stream)).SingleOrDefault(g => g.Name == group) is { } g ? g.Lag ?? 1 : 1;
        }

        return open;
    }
}
