using Orleans.Configuration;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>The Orleans stream of a Redis stream key: (<see cref="StreamNamespaces.Entries"/>, key), and the queue that reads it.</summary>
public static class RedisStreamIds
{
    public static StreamId For(string key) => StreamId.Create(StreamNamespaces.Entries, key);

    /// <summary>
    /// The provider's mapping of streams onto <paramref name="queues"/> queues (Orleans' hash ring): a stream's
    /// queue is a pure function of its key, so the status reader and the bench can say where a stream is read.
    /// </summary>
    public static HashRingBasedStreamQueueMapper QueueMapper(int queues, string providerName) =>
        new(new HashRingStreamQueueMapperOptions { TotalQueueCount = queues }, providerName);
}
