using System.Diagnostics;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Options;

namespace DynamoWriter.Bench;

/// <summary>11. One, two and three real dynamo-writer processes in one cluster draining the same backlog.</summary>
internal sealed partial class Scenarios
{
    /// <summary>Entries each silo of scenario 11 drains before the timed backlog (at most the backlog's size), as the in-process engine warms with 20,000.</summary>
    public const int SiloWarmUpEntries = 20_000;

    public sealed record SilosResult(double Rate, double FormedSeconds, int WarmUpEntries, double WarmUpRate, double StartToDrainedSeconds, double CpuMicrosPerEntry, string Spread);

    /// <summary>
    /// Entries/s of <paramref name="silos"/> processes that have formed one cluster through Redis and spread the
    /// queues between them, from the first entry read to the backlog drained, as the single-host scenarios are
    /// timed. The silos start on empty streams; once every silo's heartbeat shows the same share of the queues
    /// twice, they drain a warm-up backlog (<see cref="SiloWarmUpEntries"/> per silo, XADDed onto the streams),
    /// and then the backlog, filled under other names with the group already created, is RENAMEd onto them in
    /// one transaction. Start-up, balancing and the warm-up are timed apart.
    /// </summary>
    /// <remarks>
    /// Without the warm-up every process compiled its hot paths during the timed drain, on the cores DynamoDB
    /// needs: the silos took 27.2, 38.9 and 51.9 µs of CPU per entry between them for one, two and three
    /// (bench/results/20261208-025112.json), and 20.7, 23.9 and 20.8 warmed (one run). A silo that has run for a
    /// minute has none of that, which is what the in-process drains measure too (<see cref="WarmUpEngineAsync"/>).
    /// </remarks>
    public async Task<SilosResult> SilosAsync(string servicePath, int silos, int count)
    {
        var name = _w.Name($"silos{silos}");
        var live = _w.StreamNames(name);
        var filling = _w.StreamNames($"{name}-fill");
        var group = name + "-g";
        await _w.FreshBackendAsync();
        await _w.CreateTablesAsync(name, _w.CheckpointTable);
        foreach (var s in live.Concat(filling))
        {
            await _w.Redis.StreamCreateConsumerGroupAsync(s, group, "0", createStream: true);
        }

        var processes = new List<ServiceProcess>();
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < silos; i++)
            {
                processes.Add(ServiceProcess.Start(_w, servicePath, name, live, group, cluster: name));
            }

            await WaitBalancedAsync(group, processes);
            var formed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var warmUp = Math.Min(SiloWarmUpEntries, count) * silos;
            var warmStarted = Stopwatch.GetTimestamp();
            await _w.FillAsync(live, name + "-warm", warmUp);
            await ServiceProcess.WaitDrainedAsync(_w, live, group, warmUp, processes, Stuck);
            var warmUpRate = warmUp / Stopwatch.GetElapsedTime(warmStarted).TotalSeconds;
            // Filled after the warm-up, so that the backlog's IDs are newer than any the silos finished.
            await _w.FillAsync(filling, name, count);
            await Task.Delay(SettleAfterFill);
            await _w.RenameAllAsync(filling, live);
            var renamedAt = Stopwatch.GetTimestamp();
            while ((await ServiceProcess.GroupProgressAsync(_w, live, group)).Read == 0)
            {
                if (Stopwatch.GetElapsedTime(renamedAt) > Stuck)
                {
                    throw new TimeoutException($"no silo read the backlog within {Stuck.TotalSeconds:N0} s:\n{processes[0].Tail}");
                }

                await Task.Delay(1);
            }

            var firstRead = Stopwatch.GetTimestamp();
            var cpuBefore = CpuOf(processes);
            await ServiceProcess.WaitDrainedAsync(_w, live, group, count, processes, Stuck);
            var drained = Stopwatch.GetElapsedTime(firstRead).TotalSeconds;
            var cpu = (CpuOf(processes) - cpuBefore) * 1_000_000 / count;
            return new SilosResult(count / drained, formed, warmUp, warmUpRate, Stopwatch.GetElapsedTime(started).TotalSeconds, cpu, QueueSpread.Describe(live));
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            await _w.DeleteStreamsAsync([.. live, .. filling]);
            await _w.DeleteTableAsync(name);
        }
    }

    /// <summary>utime + stime of all the silos, in seconds: what they take, between them, from the servers on the same cores.</summary>
    private static double CpuOf(IReadOnlyList<ServiceProcess> processes) => processes.Sum(p => ReadCpuSeconds(p.Process.Id));

    /// <summary>
    /// Until every process has a heartbeat, each holding at least one queue and all of them between them each
    /// queue once, and that share is the same in two heartbeats of every process.
    /// </summary>
    private async Task WaitBalancedAsync(string group, IReadOnlyList<ServiceProcess> processes)
    {
        var server = _w.Multiplexer.GetServers().Single();
        var since = Stopwatch.GetTimestamp();
        Dictionary<int, (DateTimeOffset At, string Queues)>? last = null;
        while (true)
        {
            ServiceProcess.ThrowIfAnyExited(processes);
            var beats = new Dictionary<int, NodeHeartbeat>();
            await foreach (var key in server.KeysAsync(pattern: NodeHeartbeat.PatternFor(group)))
            {
                if (NodeHeartbeat.FromJson(await _w.Redis.StringGetAsync(key)) is { } beat && processes.Any(p => p.Process.Id == beat.ProcessId))
                {
                    beats[beat.ProcessId] = beat;
                }
            }

            var queues = beats.Values.SelectMany(b => b.Queues).ToList();
            var spread = beats.Count == processes.Count && beats.Values.All(b => b.Queues.Count > 0)
                && queues.Count == OrleansOptions.DefaultQueues && queues.Distinct(StringComparer.Ordinal).Count() == queues.Count;
            var now = beats.ToDictionary(b => b.Key, b => (At: b.Value.UpdatedAt, Queues: string.Join(',', b.Value.Queues.Order(StringComparer.Ordinal))));
            if (!spread)
            {
                last = null;
            }
            else if (last is null || now.Any(n => !last.TryGetValue(n.Key, out var l) || l.Queues != n.Value.Queues))
            {
                last = now;
            }
            else if (now.All(n => n.Value.At > last[n.Key].At))
            {
                return;
            }

            if (Stopwatch.GetElapsedTime(since) > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"{processes.Count} silos did not spread the queues within 2 minutes:\n{processes[0].Tail}");
            }

            await Task.Delay(250);
        }
    }
}
