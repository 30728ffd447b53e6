using System.Diagnostics;
using Xunit.Abstractions;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>
/// Issue 11: a rolling restart, one silo at a time (start A, B; start C, SIGTERM A; start D, SIGTERM B),
/// with entries flowing throughout: each stopped silo hands its queues over and exits 0 within
/// <c>sc.shutdownTimeout</c>, and every entry is written once, nothing pending, nothing dead-lettered.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterRun.Collection)]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private Handovers _handovers = Handovers.None;

    [Fact]
    public async Task Replacing_each_silo_in_turn_while_entries_flow_loses_nothing_and_every_stopped_silo_exits_zero_in_time()
    {
        await using var run = new ClusterRun();
        // From the start: the streams exist when the silos start, so none waits for a discovery pass.
        run.StartProducing(perSecond: 400);
        var a = run.Start();
        var b = run.Start();
        output.WriteLine($"A and B share the queues after {(await run.WaitForBalanceAsync([a, b], Deadline)).Elapsed.TotalSeconds:F1}s");

        var c = await ReplaceAsync(run, stopping: a, staying: b, "C");
        var d = await ReplaceAsync(run, stopping: b, staying: c, "D");

        var produced = await run.StopProducingAsync();
        var drained = await run.AssertAllWrittenAsync(c, produced, Deadline);
        output.WriteLine($"{produced} entries produced; all written and acknowledged {drained.TotalSeconds:F1}s after the producer stopped");
        _handovers += await run.HandoversAsync(c) + await run.HandoversAsync(d);
        output.WriteLine($"hand-overs over the run: {_handovers}");
        Assert.False(d.HasExited, $"D exited. Output:\n{d.Output}");
    }

    /// <summary>Starts a new silo, waits for it to take its share, then SIGTERMs <paramref name="stopping"/> and times its exit and hand-over.</summary>
    private async Task<ServiceProcess> ReplaceAsync(ClusterRun run, ServiceProcess stopping, ServiceProcess staying, string name)
    {
        var started = run.Start();
        var joined = await run.WaitForBalanceAsync([stopping, staying, started], Deadline);

        var handedOver = joined.Owners.Where(o => o.Value == stopping).Select(o => o.Key).ToHashSet();
        _handovers += await run.HandoversAsync(stopping); // what it recorded while it ran: gone with the process
        var clock = Stopwatch.StartNew();
        stopping.Signal(ServiceProcess.SigTerm);
        // Timed from the SIGTERM both: the others may take the queues over before the process is gone.
        var handOver = run.WaitForBalanceAsync([staying, started], Deadline);
        var exit = await stopping.WaitForExitAsync(ClusterRun.ShutdownTimeout + TimeSpan.FromSeconds(15));
        var exited = clock.Elapsed;
        var balanced = await handOver;
        output.WriteLine($"{name} started -> shares the queues: {joined.Elapsed.TotalSeconds:F1}s; SIGTERM -> exit {exit}: {exited.TotalSeconds:F1}s; " +
            $"SIGTERM -> its {handedOver.Count} queues read by the others: {balanced.Elapsed.TotalSeconds:F1}s");
        Assert.True(exit == 0, $"exit code {exit}. Output:\n{stopping.Output}");
        Assert.True(exited <= ClusterRun.ShutdownTimeout, $"the SIGTERMed silo took {exited.TotalSeconds:F1}s to exit (sc.shutdownTimeout {ClusterRun.ShutdownTimeout.TotalSeconds:F0}s). Output:\n{stopping.Output}");
        return started;
    }
}
