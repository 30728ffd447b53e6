using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DynamoWriter.Grains.Tests.Operations.Nodes;

[Trait("Category", "Integration")]
public sealed class NodeHeartbeatTests
{
    [Fact]
    public async Task A_running_node_keeps_a_heartbeat_with_its_streams_and_counts_and_removes_it_on_stop()
    {
        var stream = TestServers.Unique("hb");
        var prefix = TestServers.Unique("hbglob");
        var options = OperationsKit.NewOptions(stream, $"{prefix}:*");
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        await db.StreamAddAsync($"{prefix}:found", "pk", "a");
        await db.StreamAddAsync($"{prefix}:found:dlq", "pk", "a");
        var totals = new WriterTotals();
        totals.AddRead(3);
        totals.AddWritten(2);
        totals.AddDeadLettered(1);
        totals.AddAcknowledged(3);
        var node = new NodeIdentity(TestServers.Unique("silo"), DateTimeOffset.UtcNow.AddMinutes(-1));
        // The refresh loop runs on this clock, so the test moves time instead of waiting for it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var interval = TimeSpan.FromSeconds(5);
        using var service = new NodeHeartbeatService(redis, Microsoft.Extensions.Options.Options.Create(options), node, totals,
            NullLogger<NodeHeartbeatService>.Instance, time) { Interval = interval };
        Assert.Equal($"dynamo-writer:nodes:{options.Stream.Group}:{node.Name}", service.Key);

        await service.StartAsync(default);
        var beat = await Eventually.WaitAsync(async () => NodeHeartbeat.FromJson(await db.StringGetAsync(service.Key)),
            b => b is not null, OperationsKit.Deadline, "the first heartbeat");
        Assert.Equal((node.Name, options.Stream.Group, Environment.ProcessId, Environment.MachineName, node.StartedAt), (beat!.Name, beat.Group, beat.ProcessId, beat.Host, beat.StartedAt));
        Assert.Equal([stream, $"{prefix}:found"], beat.Streams);
        Assert.Equal((3L, 2L, 0L, 1L, 3L), (beat.Read, beat.Written, beat.Skipped, beat.DeadLettered, beat.Acknowledged));
        Assert.Equal(time.GetUtcNow(), beat.UpdatedAt);
        var ttl = await db.KeyTimeToLiveAsync(service.Key);
        Assert.InRange(ttl!.Value, interval * 2, interval * 3);

        // Nothing is refreshed before an interval has passed on the service's clock...
        totals.AddWritten(5);
        await Task.Delay(300);
        Assert.Equal(2, NodeHeartbeat.FromJson(await db.StringGetAsync(service.Key))!.Written);

        // ...and after one, the heartbeat carries the counts and the time of the moment.
        time.Advance(interval);
        var refreshed = await Eventually.WaitAsync(async () => NodeHeartbeat.FromJson(await db.StringGetAsync(service.Key)),
            b => b is { Written: 7 }, OperationsKit.Deadline, "a heartbeat counting the new writes");
        Assert.Equal(time.GetUtcNow(), refreshed!.UpdatedAt);

        await service.StopAsync(default);
        Assert.False(await db.KeyExistsAsync(service.Key));
        await db.KeyDeleteAsync([(StackExchange.Redis.RedisKey)$"{prefix}:found", $"{prefix}:found:dlq"]);
    }
}
