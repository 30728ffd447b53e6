using DynamoWriter.Redis;

namespace DynamoWriter.Pipeline.Checkpoints;

/// <summary>
/// Works out a group's durable position from Redis alone, so every node agrees on it: entries up to the
/// group's last-delivered ID that are no longer pending were acknowledged, and an entry is acknowledged
/// only once persisted. The checkpoint is therefore just below the oldest pending entry, or the
/// last-delivered ID when nothing is pending.
/// </summary>
internal static class GroupProgress
{
    public static async Task<StreamEntryId?> PersistedUpToAsync(RedisClient redis, string stream, string group, CancellationToken cancellationToken)
    {
        // Last-delivered first, pending second: an entry delivered in between is above the
        // last-delivered ID we hold, so it cannot make the answer too high.
        var groups = await redis.XInfoGroupsAsync(stream, cancellationToken).ConfigureAwait(false);
        var info = groups.FirstOrDefault(g => string.Equals(g.Name, group, StringComparison.Ordinal));
        if (info is null || !StreamEntryId.TryParse(info.LastDeliveredId, out var delivered))
        {
            return null;
        }

        var pending = await redis.XPendingAsync(stream, group, cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0 || !StreamEntryId.TryParse(pending.SmallestId, out var oldest))
        {
            return delivered;
        }

        var below = Previous(oldest);
        return below < delivered ? below : delivered;
    }

    private static StreamEntryId Previous(StreamEntryId id) =>
        id.Sequence > 0 ? new(id.Milliseconds, id.Sequence - 1)
        : id.Milliseconds > 0 ? new(id.Milliseconds - 1, ulong.MaxValue)
        : StreamEntryId.Zero;
}
