using DynamoWriter.Diagnostics;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Streaming.Redis.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Streams;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Tests;

/// <summary>A provider's parts built by hand against the real redis-server, plus a client to arrange and inspect.</summary>
public abstract class RedisTestBase : IAsyncLifetime
{
    private readonly List<RedisStreamStorage> _storages = [];

    protected IConnectionMultiplexer Redis { get; private set; } = null!;
    protected IDatabase Db => Redis.GetDatabase();
    protected WriterTotals Totals { get; } = new();

    public async Task InitializeAsync() => Redis = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisAddress);

    public async Task DisposeAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }

    protected static RedisStreamOptions Options(params string[] streams) => new()
    {
        ConfigurationOptions = ConfigurationOptions.Parse(TestServers.RedisAddress),
        Streams = [.. streams],
        Group = "g",
        Queues = 1,
        ReadCount = 100,
        ConsumerPrefix = TestServers.Unique("c"),
    };

    internal RedisStreamStorage Storage(RedisStreamOptions options)
    {
        var storage = new RedisStreamStorage("test", options, null!, NullLogger.Instance, null, Totals, TimeProvider.System);
        _storages.Add(storage);
        return storage;
    }

    /// <summary>A receiver for queue 0 of a one-queue provider (every stream maps to it).</summary>
    internal async Task<RedisStreamReceiver> ReceiverAsync(RedisStreamOptions options)
    {
        var storage = Storage(options);
        var mapper = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = options.Queues }, "test");
        var receiver = new RedisStreamReceiver(storage, new RedisStreamCatalog(storage), mapper, mapper.GetAllQueues().First());
        await receiver.Initialize(TimeSpan.FromSeconds(10));
        return receiver;
    }

    /// <summary>Reads until a read returns containers (the first reads may only finish the pending re-read).</summary>
    internal static Task<IList<IBatchContainer>> ReadSomeAsync(RedisStreamReceiver receiver, int maxCount = 10) =>
        Eventually.WaitAsync(() => receiver.GetQueueMessagesAsync(maxCount, CancellationToken.None), r => r.Count > 0, TimeSpan.FromSeconds(15), "a read with entries");

    /// <summary>Reads until <paramref name="count"/> entries arrived; returns them in delivery order.</summary>
    internal static async Task<List<StreamEntry>> ReadEntriesAsync(RedisStreamReceiver receiver, int count)
    {
        var all = new List<StreamEntry>();
        await Eventually.WaitAsync(async () =>
        {
            foreach (var c in await receiver.GetQueueMessagesAsync(10, CancellationToken.None))
            {
                all.AddRange(((RedisStreamBatchContainer)c).Entries);
            }

            return all.Count;
        }, n => n >= count, TimeSpan.FromSeconds(20), $"{count} entries");
        return all;
    }

    protected async Task<string[]> AddAsync(string stream, int count, string prefix = "v")
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (string)(await Db.StreamAddAsync(stream, [new NameValueEntry("n", $"{prefix}{i}"), new NameValueEntry("x", "y")]))!;
        }

        return ids;
    }

    protected async Task<long> PendingAsync(string stream, string group = "g") => (await Db.StreamPendingAsync(stream, group)).PendingMessageCount;
}
