using DynamoWriter.Streaming.Redis.Streams;
using DynamoWriter.Tests;
using Orleans.Configuration;
using Orleans.Streams;
using Xunit.Abstractions;

namespace DynamoWriter.Grains.Tests.Engine.Scale;

/// <summary>A stream's writer grain lives on the silo that reads its queue, so reads never cross silos.</summary>
[Trait("Category", "Integration")]
public sealed class PlacementTests(ITestOutputHelper output)
{
    private const int QueueCount = 8;
    private const int PerStream = 100;

    [Fact]
    public async Task Each_stream_is_written_by_the_silo_that_reads_its_queue()
    {
        var streams = Enumerable.Range(0, QueueCount).Select(i => TestServers.Unique($"place{i}")).ToArray();
        var options = WriterSilo.NewOptions(streams);
        options.Orleans.Queues = QueueCount;
        await using var redis = EngineKit.Redis();
        await using var first = await WriterSilo.StartAsync(options);
        await using var second = await WriterSilo.StartAsync(options, joining: first);
        var silos = new[] { first, second };
        await Eventually.WaitAsync(() => Task.FromResult(silos.Select(s => s.Queues.Count).ToList()),
            q => q.All(n => n > 0) && q.Sum() == QueueCount, EngineKit.Deadline, "both silos to read queues, each queue once");

        foreach (var stream in streams)
        {
            for (var i = 0; i < PerStream; i++)
            {
                await redis.XAddAsync(stream, [new("pk", $"{stream}-{i}")]);
            }
        }

        await Eventually.WaitAsync(() => Task.FromResult(silos.Sum(s => s.Totals.Written)), n => n == streams.Length * PerStream,
            EngineKit.Deadline, "every entry written");

        var mapper = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = QueueCount }, StreamNamespaces.ProviderName);
        var consumers = new RedisStreamOptions { ConsumerPrefix = options.Orleans.ServiceId };
        foreach (var silo in silos)
        {
            var read = streams.Where(s => silo.Queues.Contains(consumers.ConsumerFor(mapper.GetQueueForStream(RedisStreamIds.For(s)).GetNumericId()))).ToList();
            output.WriteLine($"{silo.SiloName}: queues {string.Join(",", silo.Queues)}, reads {read.Count} streams, wrote {silo.Totals.Written}");
            Assert.Equal(read.Count * PerStream, silo.Totals.Written);
        }
    }
}
