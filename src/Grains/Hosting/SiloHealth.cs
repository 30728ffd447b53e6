using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DynamoWriter.Grains.Hosting;

/// <summary>Where the writer is in the silo's life.</summary>
public enum WriterState
{
    NotStarted,
    Starting,
    Running,
    Stopping,
    Stopped,
    StartFailed,
}

/// <summary>The writer's state in its silo, for /healthz and /readyz.</summary>
public sealed class SiloHealth
{
    private volatile string? _startError;
    private int _state;

    public WriterState State => (WriterState)Volatile.Read(ref _state);

    /// <summary>Why start-up failed, when <see cref="State"/> is <see cref="WriterState.StartFailed"/>.</summary>
    public string? StartError => _startError;

    public void MarkStarting() => Volatile.Write(ref _state, (int)WriterState.Starting);

    public void MarkRunning() => Volatile.Write(ref _state, (int)WriterState.Running);

    public void MarkStopping() => Volatile.Write(ref _state, (int)WriterState.Stopping);

    public void MarkStopped() => Volatile.Write(ref _state, (int)WriterState.Stopped);

    public void MarkStartFailed(Exception exception)
    {
        _startError = exception.Message;
        Volatile.Write(ref _state, (int)WriterState.StartFailed);
    }
}

/// <summary>Liveness: the writer did not fail to start. Starting, stopping and backend outages count as alive.</summary>
internal sealed class WriterAliveHealthCheck(SiloHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.State == WriterState.StartFailed
            ? HealthCheckResult.Unhealthy($"writer failed to start: {health.StartError}")
            : HealthCheckResult.Healthy($"writer {health.State.ToString().ToLowerInvariant()}"));
}

/// <summary>Readiness: the writer runs and this silo is active in the cluster's membership.</summary>
internal sealed class SiloActiveHealthCheck(SiloHealth health, IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (health.State != WriterState.Running)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"writer {health.State.ToString().ToLowerInvariant()}"));
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {silo.Name} active in cluster {silo.ClusterId}")
            : HealthCheckResult.Unhealthy($"silo {silo.Name} is {status} in cluster {silo.ClusterId}"));
    }
}
