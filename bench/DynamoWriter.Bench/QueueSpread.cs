using DynamoWriter.Options;
using DynamoWriter.Streaming.Redis.Streams;
using Orleans.Streams;

namespace DynamoWriter.Bench;

/// <summary>
/// Where the provider's queue mapper (Orleans' hash ring) puts a scenario's streams. Streams on one queue share
/// its receiver, its reads and its cache, and every scenario's stream names are new, so two drains of the same
/// code can differ in this alone: 4 streams land on 4 different queues of 8 in 41% of runs.
/// </summary>
internal static class QueueSpread
{
    private static readonly HashRingBasedStreamQueueMapper Mapper = RedisStreamIds.QueueMapper(OrleansOptions.DefaultQueues, StreamNamespaces.ProviderName);

    /// <summary>For example "4 streams on 3 of 8 queues (2+1+1)".</summary>
    public static string Describe(IReadOnlyList<string> streams)
    {
        var perQueue = streams.GroupBy(s => Mapper.GetQueueForStream(RedisStreamIds.For(s))).Select(g => g.Count()).OrderDescending().ToList();
        return $"{streams.Count} streams on {perQueue.Count} of {OrleansOptions.DefaultQueues} queues ({string.Join('+', perQueue)})";
    }
}
