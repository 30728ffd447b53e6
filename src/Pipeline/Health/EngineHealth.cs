using System.Collections.Concurrent;

namespace DynamoWriter.Pipeline.Health;

/// <summary>Where the engine is in its life.</summary>
public enum EngineState
{
    NotStarted,
    Starting,
    Running,
    Stopping,
    Stopped,
    StartFailed,
}

/// <summary>
/// The engine's liveness signal: its state, and whether every partition loop it started is still running.
/// A partition task that ends while the engine is running (an unexpected exception got out of its loops)
/// makes the process unhealthy, so an orchestrator restarts it and its pending entries are re-read.
/// </summary>
/// <remarks>
/// Deliberately no "last heartbeat" staleness: a partition may legitimately sit still for minutes while
/// DynamoDB is down (it waits with back-pressure), and a restart would not help then.
/// </remarks>
public sealed class EngineHealth
{
    private readonly ConcurrentDictionary<string, string> _endedLoops = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _loops = new(StringComparer.Ordinal);
    private volatile string? _startError;
    private int _state;

    public EngineState State => (EngineState)Volatile.Read(ref _state);

    /// <summary>Why start-up failed, when <see cref="State"/> is <see cref="EngineState.StartFailed"/>.</summary>
    public string? StartError => _startError;

    /// <summary>Loops being watched (partition names).</summary>
    public IReadOnlyCollection<string> Loops => _loops.Keys.ToList();

    /// <summary>Loops that ended while the engine was running, with the reason.</summary>
    public IReadOnlyDictionary<string, string> EndedLoops => new Dictionary<string, string>(_endedLoops, StringComparer.Ordinal);

    /// <summary>Alive: not failed at start and no loop has died. Starting and stopping count as alive.</summary>
    public bool IsAlive => State != EngineState.StartFailed && _endedLoops.IsEmpty;

    /// <summary>Ready to work: running with every loop alive.</summary>
    public bool IsRunning => State == EngineState.Running && _endedLoops.IsEmpty;

    public void MarkStarting() => Volatile.Write(ref _state, (int)EngineState.Starting);

    public void MarkRunning() => Volatile.Write(ref _state, (int)EngineState.Running);

    public void MarkStopping() => Volatile.Write(ref _state, (int)EngineState.Stopping);

    public void MarkStopped() => Volatile.Write(ref _state, (int)EngineState.Stopped);

    public void MarkStartFailed(Exception exception)
    {
        _startError = exception.Message;
        Volatile.Write(ref _state, (int)EngineState.StartFailed);
    }

    /// <summary>Watches a loop's task: ending before the engine stops is recorded as a failure.</summary>
    public void Track(string name, Task loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        _loops[name] = loop;
        _ = loop.ContinueWith(
            t =>
            {
                // Still watched (not untracked on purpose) and the engine is not stopping: a failure.
                if (State is EngineState.Starting or EngineState.Running
                    && _loops.TryGetValue(name, out var current) && ReferenceEquals(current, loop))
                {
                    _endedLoops[name] = t.Exception?.GetBaseException().Message ?? (t.IsCanceled ? "cancelled" : "ended unexpectedly");
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Stops watching a loop that is being stopped on purpose while the engine runs (a stream that went
    /// away): call it before cancelling the loop, so its end is not taken for a failure.
    /// </summary>
    public void Untrack(string name)
    {
        _loops.TryRemove(name, out _);
        _endedLoops.TryRemove(name, out _);
    }
}
