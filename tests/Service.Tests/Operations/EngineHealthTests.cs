using DynamoWriter.Pipeline.Health;

namespace DynamoWriter.Service.Tests.Operations;

[Trait("Category", "Unit")]
public sealed class EngineHealthTests
{
    [Fact]
    public async Task A_loop_that_ends_while_running_makes_the_engine_unhealthy()
    {
        var health = new EngineHealth();
        health.MarkStarting();
        var loop = new TaskCompletionSource();
        health.Track("orders", loop.Task);
        health.MarkRunning();
        Assert.True(health.IsAlive);
        Assert.True(health.IsRunning);

        loop.SetException(new InvalidOperationException("boom"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => loop.Task);

        Assert.False(health.IsAlive);
        Assert.False(health.IsRunning);
        Assert.Equal("boom", health.EndedLoops["orders"]);
    }

    [Fact]
    public async Task Loops_ending_during_stop_or_after_untrack_are_not_failures()
    {
        var health = new EngineHealth();
        health.MarkRunning();
        var removed = new TaskCompletionSource();
        var stopping = new TaskCompletionSource();
        health.Track("gone", removed.Task);
        health.Track("orders", stopping.Task);

        health.Untrack("gone");
        removed.SetResult();
        await removed.Task;
        health.MarkStopping();
        stopping.SetResult();
        await stopping.Task;

        Assert.True(health.IsAlive);
        Assert.Empty(health.EndedLoops);
    }

    [Fact]
    public void A_failed_start_is_not_alive()
    {
        var health = new EngineHealth();
        health.MarkStartFailed(new TimeoutException("tables missing"));
        Assert.False(health.IsAlive);
        Assert.Equal("tables missing", health.StartError);
    }
}
