using System.Collections.Concurrent;
using DynamoWriter.Streaming.Redis.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>Builds the adapter, the cache, the queue mapper and the failure handlers of one provider.</summary>
internal sealed class RedisStreamAdapterFactory : IQueueAdapterFactory
{
    private readonly RedisStreamStorage _storage;
    private readonly RedisStreamCatalog _catalog;
    private readonly HashRingBasedStreamQueueMapper _mapper;
    private readonly RedisStreamQueueAdapterCache _cache;
    private readonly ConcurrentDictionary<QueueId, RedisStreamReceiver> _receivers = new();

    public RedisStreamAdapterFactory(RedisStreamStorage storage, RedisStreamCatalog catalog, HashRingStreamQueueMapperOptions mapperOptions,
        SimpleQueueCacheOptions cacheOptions, ILoggerFactory loggerFactory)
    {
        _storage = storage;
        _catalog = catalog;
        _mapper = RedisStreamIds.QueueMapper(mapperOptions.TotalQueueCount, storage.Name);
        _cache = new RedisStreamQueueAdapterCache(cacheOptions, storage.Name, loggerFactory);
    }

    public static IQueueAdapterFactory Create(IServiceProvider services, string name)
    {
        var storage = services.GetRequiredKeyedService<RedisStreamStorage>(name);
        var options = storage.Options;
        Log.ProviderStarting(storage.Logger, name, options.Group, string.Join(",", options.Streams), options.Queues, options.ReadCount, options.DeadLetterStream);
        return new RedisStreamAdapterFactory(
            storage,
            services.GetRequiredKeyedService<RedisStreamCatalog>(name),
            services.GetOptionsByName<HashRingStreamQueueMapperOptions>(name),
            services.GetOptionsByName<SimpleQueueCacheOptions>(name),
            services.GetRequiredService<ILoggerFactory>());
    }

#pragma warning disable CS0618 // the legacy overload is part of the interface
    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);
#pragma warning restore CS0618

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) =>
        Task.FromResult<IQueueAdapter>(new RedisStreamAdapter(this, _storage, _catalog, _mapper));

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new RedisStreamFailureHandler(this, queueId, _storage.Logger));

    internal void Register(RedisStreamReceiver receiver)
    {
        _receivers[receiver.QueueId] = receiver;
        _catalog.QueueStarted(receiver.Consumer);
    }

    internal void Unregister(RedisStreamReceiver receiver)
    {
        if (_receivers.TryRemove(new KeyValuePair<QueueId, RedisStreamReceiver>(receiver.QueueId, receiver)))
        {
            _catalog.QueueStopped(receiver.Consumer);
        }
    }

    internal RedisStreamReceiver? ReceiverFor(QueueId queueId) => _receivers.GetValueOrDefault(queueId);

    /// <summary>The queue cache its pulling agent just created for <paramref name="queueId"/>, if it is ours.</summary>
    internal RedisStreamQueueCache? TakeCache(QueueId queueId) => _cache.Take(queueId);
}
