using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DynamoWriter.Pipeline.Health;

/// <summary>Liveness: the engine did not fail to start and none of its loops has died.</summary>
internal sealed class EngineLoopsHealthCheck(EngineHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["state"] = health.State.ToString(), ["loops"] = health.Loops.Count };
        if (health.State == EngineState.StartFailed)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"engine failed to start: {health.StartError}", data: data));
        }

        var ended = health.EndedLoops;
        return Task.FromResult(ended.Count == 0
            ? HealthCheckResult.Healthy($"engine {health.State.ToString().ToLowerInvariant()}, {health.Loops.Count} partition loops running", data)
            : HealthCheckResult.Unhealthy("partition loops ended: " + string.Join("; ", ended.Select(e => $"{e.Key}: {e.Value}")), data: data));
    }
}

/// <summary>Readiness: the engine is running (tables checked, partitions started) and no loop has died.</summary>
internal sealed class EngineRunningHealthCheck(EngineHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.IsRunning
            ? HealthCheckResult.Healthy("engine running")
            : HealthCheckResult.Unhealthy(health.State == EngineState.Running
                ? "partition loops ended: " + string.Join(", ", health.EndedLoops.Keys)
                : $"engine {health.State.ToString().ToLowerInvariant()}"));
}
