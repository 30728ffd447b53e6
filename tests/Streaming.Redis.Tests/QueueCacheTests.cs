using DynamoWriter.Streaming.Redis.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Tests;

/// <summary>The queue cache's bound, kept by the receiver's wait for room rather than by the agent's next tick.</summary>
[Trait("Category", "Unit")]
public sealed class QueueCacheTests
{
    private const string Key = "cache-test";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static RedisStreamBatchContainer Read(long sequence) =>
        new(RedisStreamIds.For(Key), new EventSequenceTokenV2(sequence), [new StreamEntry(Key, $"{sequence + 1}-0", [new("pk", "v")])], "c-q0");

    /// <summary>A cache of <paramref name="maxReads"/> holding reads 0..n-1, with a consumer's cursor on read 0.</summary>
    private static (RedisStreamQueueCache Cache, IQueueCacheCursor Cursor) Filled(int maxReads, int n)
    {
        var cache = new RedisStreamQueueCache(maxReads, NullLogger.Instance) { Attached = true };
        cache.AddToCache([.. Enumerable.Range(0, n).Select(i => (IBatchContainer)Read(i))]);
        var cursor = ((IQueueCache)cache).TryGetCacheCursor(RedisStreamIds.For(Key), new EventSequenceTokenV2(0)).Cursor!;
        Assert.Equal(QueueCacheCursorMoveResultKind.Success, cursor.MoveNextWithResult().Kind);
        Assert.Equal(Read(0).Token, ((RedisStreamBatchContainer)cursor.GetCurrent(out _)!).Token);
        return (cache, cursor);
    }

    [Fact]
    public async Task A_full_cache_waits_for_its_consumer_and_reads_on_as_soon_as_the_consumer_moves_past_a_read()
    {
        var (cache, cursor) = Filled(maxReads: 2, n: 2);
        var purged = new List<IBatchContainer>();

        var wait = cache.WaitForRoomAsync(1, purged.AddRange, Long, TimeProvider.System, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted, "room before the consumer moved on");
        Assert.Empty(purged);

        // The consumer is done with read 0 and takes read 1: read 0 is behind every consumer.
        Assert.Equal(QueueCacheCursorMoveResultKind.Success, cursor.MoveNextWithResult().Kind);
        Assert.True(await wait.WaitAsync(Long));
        Assert.Equal([Read(0).Token], purged.Cast<RedisStreamBatchContainer>().Select(b => b.Token));
        Assert.Equal(1, cache.Size);
    }

    [Fact]
    public async Task Room_left_means_no_wait_and_nothing_purged_that_a_consumer_still_holds()
    {
        var (cache, _) = Filled(maxReads: 3, n: 2);
        var purged = new List<IBatchContainer>();

        Assert.True(await cache.WaitForRoomAsync(1, purged.AddRange, Long, TimeProvider.System, CancellationToken.None));
        Assert.Empty(purged);
        Assert.Equal(2, cache.Size);
    }

    [Fact]
    public async Task A_consumer_that_does_not_move_ends_the_wait_at_the_timeout_and_a_cancelled_read_at_once()
    {
        var (cache, _) = Filled(maxReads: 2, n: 2);

        Assert.False(await cache.WaitForRoomAsync(1, _ => { }, TimeSpan.FromMilliseconds(100), TimeProvider.System, CancellationToken.None));
        using var cancelled = new CancellationTokenSource();
        var wait = cache.WaitForRoomAsync(1, _ => { }, Long, TimeProvider.System, cancelled.Token);
        await cancelled.CancelAsync();
        Assert.False(await wait.WaitAsync(Long));
        Assert.Equal(2, cache.Size);
    }

    [Fact]
    public async Task A_disposed_cursor_frees_what_it_pointed_at()
    {
        var (cache, cursor) = Filled(maxReads: 2, n: 2);
        var purged = new List<IBatchContainer>();
        var wait = cache.WaitForRoomAsync(1, purged.AddRange, Long, TimeProvider.System, CancellationToken.None);

        cursor.Dispose();
        Assert.True(await wait.WaitAsync(Long));
        Assert.Equal(2, purged.Count);
    }

    [Fact]
    public void Only_a_cache_no_receiver_waits_on_reports_pressure_at_its_bound()
    {
        var cache = new RedisStreamQueueCache(2, NullLogger.Instance);
        cache.AddToCache([Read(0), Read(1)]);
        Assert.True(cache.IsUnderPressure());

        cache.Attached = true;
        Assert.False(cache.IsUnderPressure());
    }
}
