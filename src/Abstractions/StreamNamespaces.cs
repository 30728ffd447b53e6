namespace DynamoWriter;

/// <summary>Names the stream provider and the writer grains share.</summary>
public static class StreamNamespaces
{
    /// <summary>The Orleans stream namespace of every Redis stream: a StreamId is (this, the Redis stream key).</summary>
    public const string Entries = "redis-stream";

    /// <summary>The name the provider is registered under in a silo (and a client).</summary>
    public const string ProviderName = "dynamo-writer";
}
