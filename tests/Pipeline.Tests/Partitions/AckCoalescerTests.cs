using DynamoWriter.Pipeline.Partitions;
using DynamoWriter.Tests;

namespace DynamoWriter.Pipeline.Tests.Partitions;

public sealed class AckCoalescerTests
{
    /// <summary>Records every send and holds it until the test releases it.</summary>
    private sealed class ScriptedSender
    {
        private readonly List<(List<string> Ids, TaskCompletionSource Done)> _sends = [];

        public IReadOnlyList<List<string>> Sent => [.. _sends.Select(s => s.Ids)];

        public Task SendAsync(List<string> ids, CancellationToken ct)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ct.Register(() => done.TrySetCanceled(ct));
            lock (_sends)
            {
                _sends.Add(([.. ids], done));
            }

            return done.Task;
        }

        public void Complete(int send) => _sends[send].Done.SetResult();

        public void Fail(int send, Exception e) => _sends[send].Done.SetException(e);
    }

    [Fact]
    public async Task Batches_finishing_while_an_xack_is_on_the_wire_share_the_next_one()
    {
        var sender = new ScriptedSender();
        var acks = new AckCoalescer(sender.SendAsync);

        var first = acks.AcknowledgeAsync(["1-0", "1-1"], CancellationToken.None);
        var second = acks.AcknowledgeAsync(["2-0"], CancellationToken.None);
        var third = acks.AcknowledgeAsync(["3-0", "3-1"], CancellationToken.None);

        Assert.Single(sender.Sent);
        Assert.Equal(["1-0", "1-1"], sender.Sent[0]);
        Assert.False(second.IsCompleted);

        sender.Complete(0);
        await first;
        await Eventually.WaitAsync(() => Task.FromResult(sender.Sent.Count), n => n == 2, TimeSpan.FromSeconds(10), "second send");
        Assert.Equal(["2-0", "3-0", "3-1"], sender.Sent[1]);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        sender.Complete(1);
        await Task.WhenAll(second, third);
    }

    [Fact]
    public async Task A_failed_send_fails_only_its_own_callers_and_the_next_caller_sends_again()
    {
        var sender = new ScriptedSender();
        var acks = new AckCoalescer(sender.SendAsync);

        var failing = acks.AcknowledgeAsync(["1-0"], CancellationToken.None);
        sender.Fail(0, new InvalidOperationException("disposed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        var next = acks.AcknowledgeAsync(["2-0"], CancellationToken.None);
        await Eventually.WaitAsync(() => Task.FromResult(sender.Sent.Count), n => n == 2, TimeSpan.FromSeconds(10), "a new send");
        sender.Complete(1);
        await next;
        Assert.Equal(["2-0"], sender.Sent[1]);
    }

    [Fact]
    public async Task The_hard_deadline_cancels_waiting_callers()
    {
        var sender = new ScriptedSender();
        var acks = new AckCoalescer(sender.SendAsync);
        using var hard = new CancellationTokenSource();

        var onTheWire = acks.AcknowledgeAsync(["1-0"], hard.Token);
        var waiting = acks.AcknowledgeAsync(["2-0"], hard.Token);
        await hard.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => onTheWire);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Nothing_to_acknowledge_sends_nothing()
    {
        var sender = new ScriptedSender();
        var acks = new AckCoalescer(sender.SendAsync);

        await acks.AcknowledgeAsync([], CancellationToken.None);

        Assert.Empty(sender.Sent);
    }
}
