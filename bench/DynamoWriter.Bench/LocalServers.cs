using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DynamoWriter.Bench;

/// <summary>
/// redis-server and the DynamoDB server of DW_TEST_DYNAMO_SERVER (DynamoDB Local by default, or dynalite) on free
/// loopback ports, like scripts/servers.sh; stopped on dispose.
/// </summary>
internal sealed class LocalServers : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _dir;
    private readonly string _launcher;
    private Process? _dynamo;
    private int _dynamoPort;

    private LocalServers(string dir, string launcher) => (_dir, _launcher) = (dir, launcher);

    public string RedisAddress { get; private set; } = "";
    public string DynamoEndpoint { get; private set; } = "";

    public static async Task<LocalServers> StartAsync(string repoRoot, bool needRedis, bool needDynamo)
    {
        var dir = Path.Combine(repoRoot, "bench", ".run", $"run-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        // The same launcher as the tests, so the bench measures the same server they use.
        var servers = new LocalServers(dir, Path.Combine(repoRoot, "scripts", "dynamo-server.sh"));
        try
        {
            if (needRedis)
            {
                var port = FreePort();
                servers.Start("redis-server", ["--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning", "--logfile", Path.Combine(dir, "redis.log")]);
                servers.RedisAddress = $"127.0.0.1:{port}";
                await WaitForPortAsync(port, TimeSpan.FromSeconds(20));
            }

            if (needDynamo)
            {
                servers._dynamoPort = FreePort();
                servers.DynamoEndpoint = $"http://127.0.0.1:{servers._dynamoPort}";
                await servers.StartDynamoAsync();
            }

            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether the DynamoDB server is one of these (and so can be restarted).</summary>
    public bool StartedDynamo => _dynamo is not null;

    /// <summary>Stops the DynamoDB server and starts a fresh, empty one on the same port.</summary>
    public async Task RestartDynamoAsync()
    {
        var old = _dynamo ?? throw new InvalidOperationException("the DynamoDB server was not started here");
        _processes.Remove(old);
        await StopAsync(old);
        await StartDynamoAsync();
    }

    private async Task StartDynamoAsync()
    {
        _dynamo = Start(_launcher, [_dynamoPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await WaitForPortAsync(_dynamoPort, TimeSpan.FromSeconds(60));
    }

    private Process Start(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            await StopAsync(p);
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task StopAsync(Process p)
    {
        try
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }

        p.Dispose();
    }
}
