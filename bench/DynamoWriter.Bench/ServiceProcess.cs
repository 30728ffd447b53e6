using System.Diagnostics;
using System.Globalization;

namespace DynamoWriter.Bench;

/// <summary>The real dynamo-writer executable as a child process, its output kept for when it fails.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly List<string> _output = [];

    private ServiceProcess(Process process) => Process = process;

    public Process Process { get; }

    public string Tail => string.Join('\n', _output.TakeLast(30));

    /// <summary>
    /// Starts one silo on free ports writing <paramref name="streams"/> to <paramref name="table"/>. Silos given the
    /// same <paramref name="cluster"/> form one cluster through Redis; without it the silo is alone (localhost).
    /// </summary>
    public static ServiceProcess Start(Workload w, string servicePath, string table, IReadOnlyList<string> streams, string group, string? cluster = null)
    {
        var info = new ProcessStartInfo(servicePath, ["run"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(servicePath)!,
        };
        info.Environment["SC_STREAM_REDIS_ADDRESS"] = w.RedisAddress;
        info.Environment["SC_STREAM_STREAMS"] = string.Join(',', streams);
        info.Environment["SC_STREAM_GROUP"] = group;
        info.Environment["SC_DYNAMODB_ENDPOINT"] = w.DynamoEndpoint;
        info.Environment["SC_DYNAMODB_TABLENAME"] = table;
        info.Environment["SC_DYNAMODB_CREATETABLE"] = "true";
        info.Environment["SC_CHECKPOINT_TABLENAME"] = w.CheckpointTable;
        info.Environment["SC_HTTP_PORT"] = "0";
        info.Environment["SC_ORLEANS_CLUSTERING"] = cluster is null ? "localhost" : "redis";
        info.Environment["SC_ORLEANS_CLUSTERID"] = cluster ?? table;
        info.Environment["SC_ORLEANS_SERVICEID"] = cluster ?? table;
        info.Environment["SC_ORLEANS_SILOPORT"] = "0";
        info.Environment["SC_ORLEANS_GATEWAYPORT"] = "0";
        // Silos on one machine reach each other on loopback.
        info.Environment["SC_ORLEANS_ADVERTISEDADDRESS"] = "127.0.0.1";
        info.Environment["SC_LOG_LEVEL"] = "warn";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {servicePath}");
        var started = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => started.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => started.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>
    /// Waits until the group has acknowledged <paramref name="count"/> entries of <paramref name="streams"/>
    /// (read minus pending); throws when a process exits or nothing moves for <paramref name="stuck"/>.
    /// </summary>
    public static async Task WaitDrainedAsync(Workload w, IReadOnlyList<string> streams, string group, long count, IReadOnlyList<ServiceProcess> processes, TimeSpan stuck)
    {
        var lastDone = -1L;
        var lastChange = Stopwatch.GetTimestamp();
        while (true)
        {
            ThrowIfAnyExited(processes);
            var (_, done) = await GroupProgressAsync(w, streams, group);
            if (done >= count)
            {
                return;
            }

            if (done != lastDone)
            {
                (lastDone, lastChange) = (done, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > stuck)
            {
                throw new TimeoutException($"dynamo-writer stuck at {done}/{count}:\n{processes[0].Tail}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>What the group has read of <paramref name="streams"/> and, of that, acknowledged (read minus pending).</summary>
    public static async Task<(long Read, long Acknowledged)> GroupProgressAsync(Workload w, IReadOnlyList<string> streams, string group)
    {
        long read = 0, pending = 0;
        foreach (var s in streams)
        {
            var g = (await w.Redis.StreamGroupInfoAsync(s)).FirstOrDefault(x => x.Name == group);
            if (g.Name is not null)
            {
                read += g.EntriesRead ?? 0;
                pending += g.PendingMessageCount;
            }
        }

        return (read, read - pending);
    }

    public static void ThrowIfAnyExited(IReadOnlyList<ServiceProcess> processes)
    {
        if (processes.FirstOrDefault(p => p.Process.HasExited) is { } exited)
        {
            throw new InvalidOperationException($"dynamo-writer exited with {exited.Process.ExitCode}:\n{exited.Tail}");
        }
    }

    /// <summary>SIGTERM, then a kill if it has not stopped within 40 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            using (Process.Start("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
            }

            try
            {
                await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            }
            catch (TimeoutException)
            {
                Process.Kill(entireProcessTree: true);
            }
        }

        Process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }
}
