using System.Diagnostics;
using System.Net.Sockets;

namespace DynamoWriter.Tests;

/// <summary>
/// A redis-server or DynamoDB server of a test's own, on a free loopback port with its data in a temporary
/// folder, so the test can stop and restart it (same port, same data) without disturbing the shared servers.
/// </summary>
internal sealed class OwnServer : IAsyncDisposable
{
    private readonly Func<int, string, ProcessStartInfo> _startInfo;
    private Process? _process;

    private OwnServer(string name, Func<int, string, ProcessStartInfo> startInfo)
    {
        Name = name;
        _startInfo = startInfo;
        Port = Net.FreePort();
        DataDirectory = Directory.CreateTempSubdirectory($"dw-{name}-").FullName;
    }

    public string Name { get; }
    public int Port { get; }
    public string DataDirectory { get; }
    public string Address => $"127.0.0.1:{Port}";
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>redis-server with AOF fsynced on every write, so a restart loses nothing; more options may follow.</summary>
    public static Task<OwnServer> StartRedisAsync(params string[] options) => StartAsync(new OwnServer("redis", (port, dir) =>
    {
        var info = new ProcessStartInfo(TestServers.RedisServerBinary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", dir,
                     "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--loglevel", "warning" }.Concat(options))
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }));

    /// <summary>
    /// The run's kind of DynamoDB server (DynamoDB Local or dynalite) keeping its tables on disk, so a
    /// restart finds the same data (or in memory, with <paramref name="onDisk"/> false).
    /// </summary>
    /// <param name="kind">dynamodb-local or dynalite when a test needs that one (and says why); else the run's.</param>
    public static Task<OwnServer> StartDynamoAsync(string? kind = null, bool onDisk = true)
    {
        var server = kind ?? TestServers.DynamoServerKind;
        return StartAsync(new OwnServer(server, (port, dir) =>
        {
            var info = new ProcessStartInfo(TestServers.DynamoLauncher) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["DW_TEST_DYNAMO_SERVER"] = server;
            info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (onDisk)
            {
                info.ArgumentList.Add(dir);
            }

            return info;
        }));
    }

    private static async Task<OwnServer> StartAsync(OwnServer server)
    {
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        _process = Process.Start(_startInfo(Port, DataDirectory)) ?? throw new InvalidOperationException($"{Name} did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            await Net.WaitForPortAsync(Port, TimeSpan.FromSeconds(60));
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"{Name} did not start listening on {Address}", ex);
        }
    }

    /// <summary>Stops the server gracefully (SIGTERM) and waits until it has exited.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
