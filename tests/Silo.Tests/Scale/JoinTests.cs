using System.Diagnostics;
using Xunit.Abstractions;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>
/// Issue 11: a silo started mid-run takes its share of the queues from the running ones; what the old
/// owners held in flight is re-read by the new owner (the same consumer), so nothing is lost or left pending.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterRun.Collection)]
public sealed class JoinTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_silo_joining_mid_run_takes_its_share_of_the_queues_and_every_entry_is_written_once()
    {
        await using var run = new ClusterRun();
        // From the start: the streams exist when the silos start, so none waits for a discovery pass.
        run.StartProducing(perSecond: 500);
        var a = run.Start();
        var b = run.Start();
        var shared = await run.WaitForBalanceAsync([a, b], Deadline);
        output.WriteLine($"A and B share the queues after {shared.Elapsed.TotalSeconds:F1}s");

        var before = shared.Owners;
        var c = run.Start();
        var joinedAt = Stopwatch.StartNew();
        var balanced = await run.WaitForBalanceAsync([a, b, c], Deadline);
        var after = balanced.Owners;
        var moved = after.Where(o => before[o.Key] != o.Value).ToList();
        var toC = moved.Count(o => o.Value == c);
        output.WriteLine($"C started -> A, B and C share the queues: {balanced.Elapsed.TotalSeconds:F1}s; {moved.Count} of {ClusterRun.QueueCount} queues moved, " +
            $"{toC} to C and {moved.Count - toC} between A and B ({string.Join(", ", moved.Select(o => o.Key).Order(StringComparer.Ordinal))})");
        // Its even share: 8 queues over 3 silos is 2 or 3 each.
        Assert.InRange(toC, 2, 3);

        await Task.Delay(TimeSpan.FromSeconds(2)); // C reads its queues while the producer still adds
        var produced = await run.StopProducingAsync();
        var drained = await run.AssertAllWrittenAsync(a, produced, Deadline);
        output.WriteLine($"{produced} entries produced; all written and acknowledged {drained.TotalSeconds:F1}s after the producer stopped, {joinedAt.Elapsed.TotalSeconds:F1}s after C started");

        // B's first queues came from A (it joined A alone); C's from A and B.
        var handovers = Handovers.None;
        foreach (var node in new[] { a, b, c })
        {
            handovers += await run.HandoversAsync(node);
        }

        output.WriteLine($"hand-overs over the run: {handovers}");
        // A queue with no stream has no consumer in Redis, so no time unread to record.
        var withStreams = await run.QueuesWithStreamsAsync();
        var movedWithStreams = moved.Count(o => withStreams.Contains(o.Key));
        Assert.True(handovers.Starts >= movedWithStreams, $"{movedWithStreams} queues with streams moved to running silos but the metric counts {handovers.Starts} starts");
    }
}
