using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>
/// One read of one Redis stream: the entries in stream order. Its StreamId names the Redis stream, so each
/// Redis stream is one Orleans stream (one partition), delivered in order. <see cref="Consumer"/> is the
/// consumer-group member that holds the entries in its pending list.
/// </summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.Streaming.Redis.RedisStreamBatchContainer")]
public sealed class RedisStreamBatchContainer : IBatchContainer
{
    public RedisStreamBatchContainer(StreamId streamId, EventSequenceTokenV2 token, IReadOnlyList<StreamEntry> entries, string consumer)
    {
        StreamId = streamId;
        Token = token;
        Entries = entries;
        Consumer = consumer;
    }

    [Id(0)] public StreamId StreamId { get; }

    [Id(1)] public EventSequenceTokenV2 Token { get; }

    [Id(2)] public IReadOnlyList<StreamEntry> Entries { get; }

    [Id(3)] public string Consumer { get; }

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        for (var i = 0; i < Entries.Count; i++)
        {
            if (Entries[i] is T item)
            {
                yield return Tuple.Create<T, StreamSequenceToken>(item, Token.CreateSequenceTokenForEvent(i));
            }
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"{StreamId} {Token} ({Entries.Count} entries, consumer {Consumer})";
}
