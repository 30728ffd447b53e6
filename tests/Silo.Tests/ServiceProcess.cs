using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using DynamoWriter.Tests;

namespace DynamoWriter.Silo.Tests;

/// <summary>
/// The real dynamo-writer executable (copied next to the tests by the project reference), started as a
/// child process with SC_ environment variables, so signals and exit codes are tested for real.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();

    private ServiceProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Waits for a condition while the service runs; fails at once, with the service's output, if the
    /// process exits first or the deadline passes.
    /// </summary>
    public async Task<T> WaitWhileRunningAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        try
        {
            return await Eventually.WaitAsync(async () =>
            {
                if (HasExited)
                {
                    throw new InvalidOperationException($"dynamo-writer exited ({_process.ExitCode}) while waiting for {what}. Output:\n{Output}");
                }

                return await probe();
            }, done, timeout, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nService output:\n{Output}", ex);
        }
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static ServiceProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartAssembly(Path.Combine(AppContext.BaseDirectory, "dynamo-writer.dll"), environment, args);

    /// <summary>Another program of the repository (a client, say), with the same output capture and environment rules.</summary>
    public static ServiceProcess StartAssembly(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // Only what the test sets: no SC_ variable leaks in from the developer's shell.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("SC_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new ServiceProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    public static async Task<(int ExitCode, string Output)> RunToEndAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        await using var p = Start(environment, args);
        var code = await p.WaitForExitAsync(timeout);
        return (code, p.Output);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"dynamo-writer did not exit within {timeout.TotalSeconds:F0}s. Output:\n{Output}");
        }

        _process.WaitForExit(); // flushes the asynchronous output readers
        return _process.ExitCode;
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public const int SigTerm = 15;
    public const int SigKill = 9;

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
