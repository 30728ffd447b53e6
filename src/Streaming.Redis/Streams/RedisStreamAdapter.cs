using DynamoWriter.Streaming.Redis.Storage;
using Orleans.Streams;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>
/// The provider's queue adapter: one receiver per Orleans queue, and producers' OnNextAsync XADDs to the
/// Redis stream the StreamId names. Not rewindable: Redis keeps the position (the group), not Orleans.
/// </summary>
internal sealed class RedisStreamAdapter(RedisStreamAdapterFactory factory, RedisStreamStorage storage, RedisStreamCatalog catalog, IStreamQueueMapper mapper)
    : IQueueAdapter
{
    public string Name => storage.Name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var receiver = new RedisStreamReceiver(storage, catalog, mapper, queueId, factory.Unregister, factory.TakeCache(queueId));
        factory.Register(receiver);
        return receiver;
    }

    /// <summary>XADD key * per <see cref="StreamEntry"/> (its fields, in order); Redis assigns the entry IDs.</summary>
    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("The Redis stream provider assigns positions itself (entry IDs): pass no sequence token.", nameof(token));
        }

        if (!string.Equals(streamId.GetNamespace(), StreamNamespaces.Entries, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Stream {streamId}: the Redis stream provider only carries the namespace '{StreamNamespaces.Entries}'.", nameof(streamId));
        }

        var key = streamId.GetKeyAsString();
        var batch = new List<NameValueEntry[]>();
        foreach (var e in events)
        {
            if (e is not StreamEntry entry)
            {
                throw new ArgumentException($"Stream {streamId}: the Redis stream provider carries {nameof(StreamEntry)} events only, not {e?.GetType().FullName ?? "null"}.", nameof(events));
            }

            if (entry.Fields.Count == 0)
            {
                throw new ArgumentException($"Stream {streamId}: a Redis stream entry needs at least one field.", nameof(events));
            }

            batch.Add([.. entry.Fields.Select(f => new NameValueEntry(f.Name, f.Value))]);
        }

        if (batch.Count == 0)
        {
            return;
        }

        var db = await storage.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        // Sent back to back on one connection, so Redis adds them in this order.
        await Task.WhenAll(batch.Select(fields => db.StreamAddAsync(key, fields))).ConfigureAwait(false);
    }
}
