using System.Diagnostics;

namespace DynamoWriter.Bench;

/// <summary>11. One, two and three real dynamo-writer processes in one cluster draining the same backlog.</summary>
internal sealed partial class Scenarios
{
    /// <summary>
    /// Entries/s from the first silo's start to the backlog drained by <paramref name="silos"/> processes that form
    /// one cluster through Redis (silo start and queue balancing included, as in a deployment).
    /// </summary>
    public async Task<double> SilosAsync(string servicePath, int silos, int count)
    {
        var name = _w.Name($"silos{silos}");
        var streams = _w.StreamNames(name);
        await _w.FillAsync(streams, name, count);
        await _w.CreateTablesAsync(name, _w.CheckpointTable);
        var group = name + "-g";
        foreach (var s in streams)
        {
            await _w.Redis.StreamCreateConsumerGroupAsync(s, group, "0", createStream: true);
        }

        var processes = new List<ServiceProcess>();
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < silos; i++)
            {
                processes.Add(ServiceProcess.Start(_w, servicePath, name, streams, group, cluster: name));
            }

            await ServiceProcess.WaitDrainedAsync(_w, streams, group, count, processes, Stuck);
            return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            await _w.DeleteStreamsAsync(streams);
            await _w.DeleteTableAsync(name);
        }
    }
}
