using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace DynamoWriter.Bench;

/// <summary>7. The real dynamo-writer executable as a child process draining a large backlog.</summary>
internal sealed partial class Scenarios
{
    private static readonly long ClockTicks = 100; // USER_HZ: /proc/PID/stat counts in 1/100 s on Linux

    public sealed record MemoryResult(double PeakMb, double CpuSecondsPer100K, double DrainRate, double Seconds, double CpuSeconds, string Timeline);

    public async Task<MemoryResult> MemoryAsync(string servicePath, int count)
    {
        var name = _w.Name("memory");
        var streams = _w.StreamNames(name);
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"backlog of {count:N0}", maxValue: count);
            await _w.FillAsync(streams, name, count, n => task.Value = n);
        });
        await _w.FreshBackendAsync();
        await _w.CreateTablesAsync(name, _w.CheckpointTable);
        var group = name + "-g";
        foreach (var s in streams)
        {
            await _w.Redis.StreamCreateConsumerGroupAsync(s, group, "0", createStream: true);
        }

        var started = Stopwatch.GetTimestamp();
        var service = ServiceProcess.Start(_w, servicePath, name, streams, group);
        var process = service.Process;
        long peakKb = 0;
        double cpu = 0;
        var peakAt = 0.0;
        var rssEvery10s = new List<long>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && !process.HasExited)
            {
                var rss = ReadStatusKb(process.Id, "VmRSS:");
                var peak = Math.Max(ReadStatusKb(process.Id, "VmHWM:"), rss);
                var at = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (peak > peakKb)
                {
                    peakKb = peak;
                    peakAt = at;
                }

                if (at >= rssEvery10s.Count * 10)
                {
                    rssEvery10s.Add(rss / 1024);
                }

                cpu = Math.Max(cpu, ReadCpuSeconds(process.Id));
                try
                {
                    await Task.Delay(50, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        try
        {
            await ServiceProcess.WaitDrainedAsync(_w, streams, group, count, [service], Stuck);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            peakKb = Math.Max(peakKb, ReadStatusKb(process.Id, "VmHWM:"));
            cpu = Math.Max(cpu, ReadCpuSeconds(process.Id));
            await sampling.CancelAsync();
            await sampler;
            var timeline = $"peak reached {peakAt:F1} s after the start; resident MB every 10 s: {string.Join(", ", rssEvery10s)}";
            return new MemoryResult(peakKb / 1024.0, cpu / (count / 100_000.0), count / seconds, seconds, cpu, timeline);
        }
        finally
        {
            await sampling.CancelAsync();
            await service.DisposeAsync();
            await _w.DeleteStreamsAsync(streams);
            await _w.DeleteTableAsync(name);
        }
    }

    private static long ReadStatusKb(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>utime + stime of the process (fields 14 and 15 of /proc/PID/stat), in seconds.</summary>
    private static double ReadCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / (double)ClockTicks;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
