using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>
/// Orleans' simple queue cache, holding at most <paramref name="maxReads"/> batch containers (reads of one
/// stream) per queue. Entries wait in Redis, not in memory, so memory follows readCount, not the backlog.
/// </summary>
/// <remarks>
/// <para>
/// The bound is kept by the queue's receiver, which waits in <see cref="WaitForRoomAsync"/> before it reads:
/// when the cache said it was under pressure instead, the pulling agent stopped until its next timer tick, so a
/// queue took at most maxReads reads per pulling period however fast its writer freed them. A receiver that
/// does not wait (<see cref="Attached"/> unset) gets that bound from <see cref="IsUnderPressure"/>.
/// </para>
/// <para>
/// The simple cache purges in buckets of a tenth of its size and counts pressure in buckets, so it can only
/// be bounded in steps of ten containers; below ten, the bound here is the container count itself, and each
/// container is its own bucket (leaves the cache as soon as its stream's writer is past it).
/// </para>
/// <para>
/// Not thread-safe, like the cache it extends: the pulling agent moves cursors, adds and purges on its own
/// scheduler, and the receiver's wait runs there too (it is the agent's read, before its first hop off it).
/// </para>
/// </remarks>
internal sealed class RedisStreamQueueCache(int maxReads, ILogger logger) : SimpleQueueCache(Math.Max(maxReads, MinSimpleCacheSize), logger)
{
    private const int MinSimpleCacheSize = 10;

    private TaskCompletionSource? _cursorMoved;

    /// <summary>Set by the receiver that waits for room before each read.</summary>
    public bool Attached { get; set; }

    public override bool IsUnderPressure() => (!Attached && Size >= maxReads) || base.IsUnderPressure();

    // Orleans' TryGetCacheCursor calls this for a derived cache, which is why it is overridden, obsolete or not.
    [Obsolete("Use IQueueCache.TryGetCacheCursor instead.")]
    public override IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token) =>
        new SignallingCursor(base.GetCacheCursor(streamId, token), this);

    /// <summary>
    /// Purges what every consumer is past (handing it to <paramref name="purged"/>, as the agent hands its purges
    /// to the receiver) until <paramref name="count"/> more containers fit; waits for consumers to move on while
    /// they do not. False when <paramref name="timeout"/> passed or <paramref name="cancellationToken"/> was
    /// cancelled first.
    /// </summary>
    public async Task<bool> WaitForRoomAsync(int count, Action<IList<IBatchContainer>> purged, TimeSpan timeout, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var room = Math.Max(1, count);
        var started = time.GetTimestamp();
        while (true)
        {
            if (TryPurgeFromCache(out var items) && items.Count > 0)
            {
                purged(items);
            }

            if (Size + room <= maxReads)
            {
                return true;
            }

            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            var moved = _cursorMoved ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Back on the captured (agent's) scheduler: the cache is only touched there.
            await moved.Task.WaitAsync(left, time, cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private void OnCursorMoved()
    {
        if (_cursorMoved is { } moved)
        {
            _cursorMoved = null;
            moved.TrySetResult();
        }
    }

    /// <summary>A consumer's cursor that tells the cache when it moves, which may leave a container behind every consumer.</summary>
    private sealed class SignallingCursor(IQueueCacheCursor inner, RedisStreamQueueCache cache) : IQueueCacheCursor
    {
        public IBatchContainer? GetCurrent(out Exception? exception) => inner.GetCurrent(out exception);

        public QueueCacheCursorMoveResult MoveNextWithResult()
        {
            var result = inner.MoveNextWithResult();
            cache.OnCursorMoved();
            return result;
        }

        [Obsolete("Use MoveNextWithResult instead.")]
        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            cache.OnCursorMoved();
            return moved;
        }

        public void Refresh(StreamSequenceToken token) => inner.Refresh(token);

        public void RecordDeliveryFailure() => inner.RecordDeliveryFailure();

        public void Dispose()
        {
            inner.Dispose();
            cache.OnCursorMoved();
        }
    }
}
