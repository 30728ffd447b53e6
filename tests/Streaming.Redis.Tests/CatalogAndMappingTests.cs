using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Streaming.Redis.Streams;
using Orleans.Configuration;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Tests;

public sealed class CatalogAndMappingTests : RedisTestBase
{
    [Fact]
    public async Task Glob_discovery_finds_streams_and_never_dead_letter_streams()
    {
        var prefix = TestServers.Unique("glob");
        await Db.StreamAddAsync($"{prefix}:orders", "n", "1");
        await Db.StreamAddAsync($"{prefix}:users", "n", "1");
        await Db.StreamAddAsync($"{prefix}:orders:dlq", "n", "1");
        await Db.StringSetAsync($"{prefix}:not-a-stream", "x");
        var catalog = new RedisStreamCatalog(Storage(Options($"{prefix}:*", "literal-one")));

        await catalog.RefreshAsync(CancellationToken.None);

        Assert.Equal([$"{prefix}:orders", $"{prefix}:users", "literal-one"], catalog.Streams);
        var version = catalog.Version;
        await Db.StreamAddAsync($"{prefix}:later", "n", "1");
        await catalog.RefreshAsync(CancellationToken.None);
        Assert.Contains($"{prefix}:later", catalog.Streams);
        Assert.NotEqual(version, catalog.Version);
    }

    [Fact]
    public void A_listed_dead_letter_stream_of_another_listed_stream_is_not_consumed()
    {
        var catalog = new RedisStreamCatalog(Storage(Options("orders", "orders:dlq", "users")));

        Assert.Equal(["orders", "users"], catalog.Streams);
    }

    [Fact]
    public void The_queue_mapper_spreads_keys_over_queues_stably()
    {
        var keys = Enumerable.Range(0, 400).Select(i => $"orders:{i}").ToList();
        IStreamQueueMapper Mapper() => new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = 8 }, "dynamo-writer");
        var first = keys.Select(k => Mapper().GetQueueForStream(RedisStreamIds.For(k))).ToList();
        var second = keys.Select(k => Mapper().GetQueueForStream(RedisStreamIds.For(k))).ToList();

        Assert.Equal(first, second);
        var perQueue = first.GroupBy(q => q.GetNumericId()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(8, perQueue.Count);
        Assert.All(perQueue.Values, n => Assert.InRange(n, 20, 90));
        // The hash is of the StreamId, fixed across processes: one known key, one known queue.
        Assert.Equal(first[0].GetNumericId(), Mapper().GetQueueForStream(StreamId.Create(StreamNamespaces.Entries, "orders:0")).GetNumericId());
    }

    [Fact]
    public void The_validator_names_every_bad_option_at_once()
    {
        var options = new RedisStreamOptions { Group = "", ReadCount = 0, Queues = 0, PollInterval = TimeSpan.Zero, DeadLetterStream = "dlq" };

        var result = new RedisStreamOptionsValidator("p").Validate("p", options);

        Assert.True(result.Failed);
        foreach (var name in new[] { "ConfigurationOptions", "Group", "Streams", "ReadCount", "Queues", "PollInterval", "DeadLetterStream" })
        {
            Assert.Contains(result.Failures!, f => f.Contains($"[p].{name}:", StringComparison.Ordinal));
        }

        Assert.True(new RedisStreamOptionsValidator("p").Validate("other", options).Skipped);
    }

    [Fact]
    public void A_client_provider_is_checked_for_its_connection_only()
    {
        // A client only adds entries: group, streams and the other reader options do not concern it.
        var options = new RedisStreamOptions { Group = "", ReadCount = 0 };

        var result = new RedisStreamOptionsValidator("p", reads: false).Validate("p", options);

        Assert.Equal(["RedisStreamOptions[p].ConfigurationOptions: set it or CreateMultiplexer"], result.Failures);
        options.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse("localhost:6379");
        Assert.True(new RedisStreamOptionsValidator("p", reads: false).Validate("p", options).Succeeded);
    }
}
