using DynamoWriter.Options;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace DynamoWriter.Bench;

/// <summary>Scenario 5: the Redis side alone, the engine with a discarding sink against a plain loop.</summary>
internal sealed partial class Scenarios
{
    private static readonly TimeSpan DiscoverEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Between filling and a timed drain: the runtime's background JIT is still promoting the fill's hot code
    /// (perf showed its thread at a third of the CPU in the drain that followed), which a running service
    /// does not have. Both sides wait the same.
    /// </summary>
    private static readonly TimeSpan SettleAfterFill = TimeSpan.FromSeconds(2);

    /// <summary>
    /// 5a. Plain XREADGROUP COUNT readCount + XACK loop with StackExchange.Redis, one multiplexer and loop per
    /// stream, as the provider reads: no BLOCK (the client cannot), so an empty read ends the drain.
    /// </summary>
    public async Task<RedisSideRun> PlainLoopAsync(int count)
    {
        var name = _w.Name("plain");
        var streams = _w.StreamNames(name);
        await _w.FillAsync(streams, name, count);
        var group = name + "-g";
        var readCount = new StreamOptions().ReadCount;
        foreach (var s in streams)
        {
            await _w.Redis.StreamCreateConsumerGroupAsync(s, group, "0", createStream: true);
        }

        await Task.Delay(SettleAfterFill);
        var meter = RedisSideRun.Start(count);
        await Task.WhenAll(streams.Select(s => Task.Run(async () =>
        {
            await using var connection = Workload.Connect(_w.RedisAddress, "dynamo-writer-bench-plain");
            var db = connection.GetDatabase();
            while (true)
            {
                var entries = await db.StreamReadGroupAsync(s, group, "plain", StreamPosition.NewMessages, readCount);
                if (entries.Length == 0)
                {
                    return;
                }

                await db.StreamAcknowledgeAsync(s, group, [.. entries.Select(e => e.Id)]);
            }
        })));
        var run = meter.Stop();
        await _w.DeleteStreamsAsync(streams);
        return run;
    }

    /// <summary>
    /// 5b. One engine host with a discarding sink serves every round, like a service that has been running for a
    /// while: a fresh host per round would be measured while it is still being JIT-compiled, which the plain
    /// loop, a few lines of code, hardly is. Its streams match a pattern; each round's backlog is filled under
    /// other names and RENAMEd into the pattern in one transaction, so discovery finds all of it at once.
    /// Timed from the first entry read to the last acknowledged.
    /// </summary>
    public async Task<SinkEngine> StartSinkEngineAsync()
    {
        var name = _w.Name("sink");
        await _w.CreateTablesAsync(name, _w.CheckpointTable);
        var options = _w.EngineOptions([$"{name}:*"], name, WritePolicy.Overwrite);
        options.Stream.DiscoverInterval = DiscoverEvery;
        var host = await Workload.StartEngineAsync(options, _ => new DiscardingWriter());
        return new SinkEngine(this, name, host);
    }

    public async Task<RedisSideRun> DiscardingEngineAsync(SinkEngine sink, int count)
    {
        var totals = Workload.Totals(sink.Host);
        var round = sink.NextRound();
        var live = _w.StreamNames($"{sink.Name}:{round}");
        var filling = _w.StreamNames($"{sink.Name}-fill-{round}");
        await _w.FillAsync(filling, sink.Name, count);
        await Task.Delay(SettleAfterFill);
        var read = totals.Read;
        var acknowledged = totals.Acknowledged;
        await _w.RenameAllAsync(filling, live);
        while (totals.Read == read)
        {
            await Task.Delay(1);
        }

        var meter = RedisSideRun.Start(count);
        await Workload.WaitAcknowledgedAsync(totals, acknowledged + count, Stuck);
        var run = meter.Stop() with { Spread = QueueSpread.Describe(live) };
        // Emptied, not deleted: the provider keeps reading these keys and would recreate their groups.
        foreach (var s in live)
        {
            await _w.Redis.StreamTrimAsync(s, 0);
        }

        return run;
    }

    internal sealed class SinkEngine(Scenarios owner, string name, IHost host) : IAsyncDisposable
    {
        private int _round;

        public string Name { get; } = name;
        public IHost Host { get; } = host;

        public int NextRound() => ++_round;

        public async ValueTask DisposeAsync()
        {
            await Workload.StopAsync(Host);
            var streams = Enumerable.Range(1, _round).SelectMany(r => owner._w.StreamNames($"{Name}:{r}")).ToList();
            await owner._w.DeleteStreamsAsync(streams);
            await owner._w.DeleteTableAsync(Name);
        }
    }
}
