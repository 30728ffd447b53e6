namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>The Orleans stream of a Redis stream key: (<see cref="StreamNamespaces.Entries"/>, key).</summary>
public static class RedisStreamIds
{
    public static StreamId For(string key) => StreamId.Create(StreamNamespaces.Entries, key);
}
