using System.Collections.Concurrent;
using DynamoWriter.Streaming.Redis.Hosting;
using DynamoWriter.Streaming.Redis.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Orleans.Streams.Core;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Tests;

public interface ISinkGrain : IGrainWithStringKey;

/// <summary>What the sink grains saw, by stream; streams in <see cref="DropOnce"/> have their first batch not acknowledged.</summary>
public static class Sink
{
    public static ConcurrentDictionary<string, ConcurrentQueue<StreamEntry>> Seen { get; } = new(StringComparer.Ordinal);
    public static ConcurrentDictionary<string, bool> DropOnce { get; } = new(StringComparer.Ordinal);
    public static int Count(string stream) => Seen.TryGetValue(stream, out var q) ? q.Count : 0;
}

[ImplicitStreamSubscription(StreamNamespaces.Entries)]
public sealed class SinkGrain : Grain, ISinkGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<StreamEntry>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => await handleFactory.Create<StreamEntry>().ResumeAsync(this);

    public async Task OnNextAsync(IList<SequentialItem<StreamEntry>> items)
    {
        var stream = this.GetPrimaryKeyString();
        var seen = Sink.Seen.GetOrAdd(stream, _ => new ConcurrentQueue<StreamEntry>());
        foreach (var item in items)
        {
            seen.Enqueue(item.Item);
        }

        if (Sink.DropOnce.TryRemove(stream, out _))
        {
            return; // "lost" work: delivered, never acknowledged
        }

        var ack = ServiceProvider.GetRequiredKeyedService<IRedisStreamAcknowledger>(StreamNamespaces.ProviderName);
        await ack.AcknowledgeAsync(stream, [.. items.Select(i => i.Item.Id)], CancellationToken.None);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

public sealed class ClusterFixture : IAsyncLifetime
{
    public string Prefix { get; } = TestServers.Unique("cluster");
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisAddress);
        var builder = new InProcessTestClusterBuilder(1);
        var prefix = Prefix;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddRedisStreams(StreamNamespaces.ProviderName, o =>
            {
                o.ConfigurationOptions = ConfigurationOptions.Parse(TestServers.RedisAddress);
                o.Streams = [$"{prefix}:*"];
                o.Queues = 2;
                o.ConsumerPrefix = prefix;
                o.DiscoverInterval = TimeSpan.FromMilliseconds(200);
                o.ClaimInterval = TimeSpan.FromMilliseconds(300);
                o.ClaimMinIdle = TimeSpan.FromSeconds(1);
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

public sealed class ClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private IDatabase Db => fixture.Redis.GetDatabase();

    private async Task<long> PendingAsync(string stream) =>
        (await Db.StreamGroupInfoAsync(stream)).Where(g => g.Name == "stream-consumer").Sum(g => (long)g.PendingMessageCount);

    [Fact]
    public async Task Entries_added_to_two_streams_arrive_in_order_and_nothing_stays_pending()
    {
        var a = $"{fixture.Prefix}:{Guid.NewGuid():N}";
        var b = $"{fixture.Prefix}:{Guid.NewGuid():N}";
        var ids = new Dictionary<string, List<string>> { [a] = [], [b] = [] };
        for (var i = 0; i < 20; i++)
        {
            foreach (var s in new[] { a, b })
            {
                ids[s].Add((string)(await Db.StreamAddAsync(s, [new NameValueEntry("n", i), new NameValueEntry("s", s)]))!);
            }
        }

        foreach (var s in new[] { a, b })
        {
            await Eventually.WaitAsync(() => Task.FromResult(Sink.Count(s)), n => n >= 20, TimeSpan.FromSeconds(60), $"20 entries of {s}");
            await Eventually.WaitAsync(() => PendingAsync(s), n => n == 0, TimeSpan.FromSeconds(30), $"nothing pending in {s}");
            Assert.Equal(ids[s], Sink.Seen[s].Select(e => e.Id));
            Assert.All(Sink.Seen[s], e => Assert.Equal(s, e.GetField("s")));
        }
    }

    [Fact]
    public async Task A_batch_not_acknowledged_stays_pending_and_is_delivered_again_after_claim_min_idle()
    {
        var s = $"{fixture.Prefix}:{Guid.NewGuid():N}";
        Sink.DropOnce[s] = true;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await Db.StreamAddAsync(s, "n", i))!);
        }

        await Eventually.WaitAsync(() => Task.FromResult(Sink.Count(s)), n => n >= 3, TimeSpan.FromSeconds(60), "first delivery");
        Assert.False(Sink.DropOnce.ContainsKey(s));
        Assert.Equal(3, await PendingAsync(s));

        await Eventually.WaitAsync(() => Task.FromResult(Sink.Count(s)), n => n >= 6, TimeSpan.FromSeconds(60), "second delivery");
        await Eventually.WaitAsync(() => PendingAsync(s), n => n == 0, TimeSpan.FromSeconds(30), "nothing pending");
        var seen = Sink.Seen[s].ToList();
        Assert.Equal(ids, seen.Take(3).Select(e => e.Id));
        Assert.Equal(ids, seen.Skip(3).Take(3).Select(e => e.Id));
        Assert.All(seen.Skip(3).Take(3), e => Assert.True(e.DeliveryCount >= 2, $"delivery count {e.DeliveryCount}"));
    }

    [Fact]
    public async Task A_producer_on_the_provider_xadds_entries_and_the_catalog_lists_the_stream()
    {
        var s = $"{fixture.Prefix}:{Guid.NewGuid():N}";
        // The silo's own provider (a client would need the provider configured on it too).
        var provider = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IStreamProvider>(StreamNamespaces.ProviderName);
        var stream = provider.GetStream<StreamEntry>(StreamNamespaces.Entries, s);

        await stream.OnNextAsync(new StreamEntry(s, "ignored", [new StreamField("n", "1")]));
        await Assert.ThrowsAsync<ArgumentException>(() => provider
            .GetStream<string>(StreamNamespaces.Entries, s + "-other").OnNextAsync("not an entry"));
        Assert.False(await Db.KeyExistsAsync(s + "-other"));

        var entry = Assert.Single(await Db.StreamRangeAsync(s));
        Assert.Equal("1", (string?)entry["n"]);
        await Eventually.WaitAsync(() => Task.FromResult(Sink.Count(s)), n => n >= 1, TimeSpan.FromSeconds(60), "the produced entry");
        var catalog = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IRedisStreamCatalog>(StreamNamespaces.ProviderName);
        Assert.Contains(s, catalog.Streams);
    }
}
