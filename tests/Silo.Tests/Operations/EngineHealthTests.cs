using DynamoWriter.Grains.Hosting;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>
/// The writer's state in its silo, behind the <c>engine-loops</c> (liveness: not failed to start) and
/// <c>engine</c> (readiness: running and active in the cluster) checks. There are no engine loops to
/// track any more: Orleans' pulling agents and the writer grains replace them, and a grain that fails
/// is re-activated by Orleans instead of ending a loop.
/// </summary>
[Trait("Category", "Unit")]
public sealed class EngineHealthTests
{
    [Fact]
    public void A_new_silo_is_not_started_and_runs_only_once_marked_running()
    {
        var health = new SiloHealth();
        Assert.Equal(WriterState.NotStarted, health.State);
        health.MarkStarting();
        Assert.Equal(WriterState.Starting, health.State);
        health.MarkRunning();
        Assert.Equal(WriterState.Running, health.State);
        Assert.Null(health.StartError);
    }

    [Fact]
    public void Stopping_and_stopped_are_states_of_their_own_not_failures()
    {
        var health = new SiloHealth();
        health.MarkStarting();
        health.MarkRunning();
        health.MarkStopping();
        Assert.Equal(WriterState.Stopping, health.State);
        health.MarkStopped();
        Assert.Equal(WriterState.Stopped, health.State);
        Assert.Null(health.StartError);
    }

    [Fact]
    public void A_failed_start_keeps_its_reason()
    {
        var health = new SiloHealth();
        health.MarkStarting();
        health.MarkStartFailed(new TimeoutException("tables missing"));
        Assert.Equal(WriterState.StartFailed, health.State);
        Assert.Equal("tables missing", health.StartError);
    }
}
