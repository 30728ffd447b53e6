using StackExchange.Redis;

namespace DynamoWriter.Grains.Writer;

/// <summary>
/// A group's durable position worked out from Redis alone, so every silo agrees on it: entries up to the
/// group's last-delivered ID that are no longer pending were acknowledged, and an entry is acknowledged
/// only once persisted. The position is therefore just below the oldest pending entry, or the
/// last-delivered ID when nothing is pending.
/// </summary>
internal static class GroupProgress
{
    public static async Task<StreamEntryId?> PersistedUpToAsync(IDatabase redis, string stream, string group)
    {
        // Last-delivered first, pending second: an entry delivered in between is above the last-delivered
        // ID we hold, so it cannot make the answer too high.
        StreamGroupInfo[] groups;
        try
        {
            groups = await redis.StreamGroupInfoAsync(stream).ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            return null; // no such key: nothing read yet
        }

        var info = groups.FirstOrDefault(g => string.Equals(g.Name, group, StringComparison.Ordinal));
        if (info.Name is null || !StreamEntryId.TryParse(info.LastDeliveredId, out var delivered))
        {
            return null;
        }

        var pending = await redis.StreamPendingAsync(stream, group).ConfigureAwait(false);
        if (pending.PendingMessageCount == 0 || !StreamEntryId.TryParse(pending.LowestPendingMessageId.ToString(), out var oldest))
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
