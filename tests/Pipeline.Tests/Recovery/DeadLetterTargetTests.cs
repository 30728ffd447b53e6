using DynamoWriter.Tests;

namespace DynamoWriter.Pipeline.Tests.Recovery;

/// <summary>
/// A dead-letter key that holds another type cannot take entries. Redis would not roll back a failed
/// XADD inside EXEC, so the engine must refuse before: the bad entry stays pending (never acknowledged
/// without its dead-letter copy) and is dead-lettered once the key is fixed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterTargetTests
{
    [Fact]
    public async Task A_bad_entry_stays_pending_while_the_dead_letter_key_is_not_a_stream_and_is_dead_lettered_once_it_is_fixed()
    {
        var stream = TestServers.Unique("dlqtype");
        var options = RecoveryKit.NewOptions(stream);
        options.Stream.ClaimInterval = TimeSpan.FromSeconds(1);
        options.Stream.ClaimMinIdle = TimeSpan.FromSeconds(1);
        var group = options.Stream.Group;
        var dlq = $"{stream}:dlq";
        await using var redis = RecoveryKit.Redis();
        await redis.SetAsync(dlq, "not a stream");
        await redis.XAddAsync(stream, [new("pk", "good")]);
        var bad = await redis.XAddAsync(stream, [new("other", "no key here")]);

        await using var engine = await EngineHost.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Engine.EntriesWritten), n => n >= 1, RecoveryKit.Deadline, "the good entry written");
        await Eventually.WaitAsync(() => Task.FromResult(engine.Logs.Contains(1023, stream)), found => found, RecoveryKit.Deadline, "the refused dead-letter write logged");
        var pending = await redis.XPendingRangeAsync(stream, group, "-", "+", 10);
        Assert.Equal([bad], pending.Select(p => p.Id));
        Assert.Equal(0, engine.Engine.EntriesDeadLettered);

        // Fixed: the entry is claimed again (it is idle in our own pending list) and dead-lettered.
        await redis.DelAsync([dlq]);
        await Eventually.WaitAsync(() => RecoveryKit.PendingAsync(redis, stream, group), n => n == 0, RecoveryKit.Deadline, "nothing pending");
        var letters = await RecoveryKit.AllAsync(redis, dlq);
        Assert.Equal(bad, Assert.Single(letters).GetField("dw:source-id"));
        Assert.Equal("missing-key", letters[0].GetField("dw:error-kind"));
    }
}
