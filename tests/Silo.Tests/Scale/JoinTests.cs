using System.Diagnostics;
using Xunit.Abstractions;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>
/// Issue 11: a silo started mid-run takes its share of the queues from the running ones; what the old
/// owners held in flight is re-read by the new owner (the same consumer), so nothing is lost or left pending.
/// </summary>
[Trait("Category", "Integration")]
public sealed class JoinTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_silo_joining_mid_run_takes_its_share_of_the_queues_and_every_entry_is_written_once()
    {
        await using var run = new ClusterRun();
        var a = run.Start();
        var b = run.Start();
        output.WriteLine($"A and B share the queues after {(await run.WaitForBalanceAsync([a, b], Deadline)).TotalSeconds:F1}s");
        run.StartProducing(perSecond: 1_000);
        await Task.Delay(TimeSpan.FromSeconds(2)); // entries in flight on A and B before C starts

        var before = run.Owners();
        var inFlight = await run.PendingByQueueAsync();
        var c = run.Start();
        var joinedAt = Stopwatch.StartNew();
        var balanced = await run.WaitForBalanceAsync([a, b, c], Deadline);
        var after = run.Owners();
        var moved = after.Where(o => before[o.Key] != o.Value).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        output.WriteLine($"C started -> A, B and C share the queues: {balanced.TotalSeconds:F1}s; {moved.Count} of {ClusterRun.QueueCount} queues moved " +
            $"({string.Join(", ", moved)}), holding {moved.Sum(q => inFlight.GetValueOrDefault(q))} pending entries when C started");
        Assert.All(moved, q => Assert.Same(c, after[q])); // only the new silo's share moves
        Assert.NotEmpty(moved);

        await Task.Delay(TimeSpan.FromSeconds(2)); // C reads its queues while the producer still adds
        var produced = await run.StopProducingAsync();
        var drained = await run.AssertAllWrittenAsync(a, produced, Deadline);
        output.WriteLine($"{produced} entries produced; all written and acknowledged {drained.TotalSeconds:F1}s after the producer stopped, {joinedAt.Elapsed.TotalSeconds:F1}s after C started");
    }
}
