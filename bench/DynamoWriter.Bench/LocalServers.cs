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

    private LocalServers(string dir) => _dir = dir;

    public string RedisAddress { get; private set; } = "";
    public string DynamoEndpoint { get; private set; } = "";

    public static async Task<LocalServers> StartAsync(string repoRoot, bool needRedis, bool needDynamo)
    {
        var dir = Path.Combine(repoRoot, "bench", ".run", $"run-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var servers = new LocalServers(dir);
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
                var port = FreePort();
                // The same launcher as the tests, so the bench measures the same server they use.
                servers.Start(Path.Combine(repoRoot, "scripts", "dynamo-server.sh"), [port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                servers.DynamoEndpoint = $"http://127.0.0.1:{port}";
                await WaitForPortAsync(port, TimeSpan.FromSeconds(60));
            }

            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    private void Start(string file, IEnumerable<string> args)
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

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
