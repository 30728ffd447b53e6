using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Recovery;

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
        var options = WriterSilo.NewOptions(stream);
        options.Stream.ClaimInterval = TimeSpan.FromSeconds(1);
        options.Stream.ClaimMinIdle = TimeSpan.FromSeconds(1);
        var group = options.Stream.Group;
        var dlq = $"{stream}:dlq";
        await using var redis = EngineKit.Redis();
        await redis.Db.StringSetAsync(dlq, "not a stream");
        await redis.XAddAsync(stream, [new("pk", "good")]);
        var bad = await redis.XAddAsync(stream, [new("other", "no key here")]);

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Written), n => n >= 1, EngineKit.Deadline, "the good entry written");
        await Eventually.WaitAsync(() => Task.FromResult(engine.Logs.Contains(1023, stream)), found => found, EngineKit.Deadline, "the refused dead-letter write logged");
        var pending = await redis.PendingRangeAsync(stream, group, "-", "+", 10);
        Assert.Equal([bad], pending.Select(p => (string)p.MessageId!));
        Assert.Equal(0, engine.Totals.DeadLettered);

        // Fixed: the entry is claimed again (it is idle in our own pending list) and dead-lettered.
        await redis.Db.KeyDeleteAsync(dlq);
        await Eventually.WaitAsync(() => redis.PendingAsync(stream, group), n => n == 0, EngineKit.Deadline, "nothing pending");
        var letters = await redis.AllAsync(dlq);
        Assert.Equal(bad, Assert.Single(letters).GetField("dw:source-id"));
        Assert.Equal("missing-key", letters[0].GetField("dw:error-kind"));
    }
}
