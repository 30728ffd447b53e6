using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Balancing;

/// <summary>
/// Gives each queue to one reader silo, the same on every silo that sees the same readers: no silo holds
/// more than its even share (rounded up), and a silo joining or leaving moves few queues, since each queue
/// goes to the silo that ranks it highest (rendezvous hashing) among those with room left.
/// </summary>
internal static class QueueDistribution
{
    public static IReadOnlySet<QueueId> For(SiloAddress silo, IReadOnlyList<QueueId> queues, IReadOnlyList<SiloAddress> readers)
    {
        var mine = new HashSet<QueueId>();
        if (readers.Count == 0)
        {
            return mine;
        }

        var share = (queues.Count + readers.Count - 1) / readers.Count;
        var load = readers.ToDictionary(r => r, _ => 0);
        foreach (var queue in queues.Order())
        {
            var owner = readers.Where(r => load[r] < share).MaxBy(r => Rank(r, queue))!;
            load[owner]++;
            if (owner.Equals(silo))
            {
                mine.Add(queue);
            }
        }

        return mine;
    }

    /// <summary>Both hashes are stable across processes (string.GetHashCode is not); the finaliser of MurmurHash3 mixes them.</summary>
    private static uint Rank(SiloAddress silo, QueueId queue)
    {
        var h = (uint)silo.GetConsistentHashCode() ^ (queue.GetUniformHashCode() * 0x9E3779B9u);
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        return h ^ (h >> 16);
    }
}
