using System.Globalization;
using DynamoWriter.Pipeline.Nodes;
using DynamoWriter.Redis;
using DynamoWriter.Tests;

namespace DynamoWriter.Service.Tests.Scale;

/// <summary>Issue 4: N identical processes share one group; a node killed half-way loses nothing.</summary>
[Trait("Category", "Integration")]
public sealed class ThreeNodeTests
{
    private const int StreamCount = 8;
    private const int Total = 50_000;
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Three_nodes_share_eight_streams_and_one_killed_half_way_loses_nothing()
    {
        var prefix = TestServers.Unique("scale");
        var streams = Enumerable.Range(0, StreamCount).Select(i => $"{prefix}:{i}").ToArray();
        var group = TestServers.Unique("g");
        var table = TestServers.Unique("tbl");
        await using var redis = new RedisClient(new RedisClientOptions { Address = TestServers.RedisAddress });
        var tasks = new List<Task<string>>(Total);
        for (var i = 0; i < Total; i++)
        {
            var stream = streams[i % StreamCount];
            var n = i.ToString(CultureInfo.InvariantCulture);
            tasks.Add(redis.XAddAsync(stream, [new("pk", n), new("stream", stream)]));
        }

        await Task.WhenAll(tasks);

        var names = new[] { TestServers.Unique("node-a"), TestServers.Unique("node-b"), TestServers.Unique("node-c") };
        var nodes = new List<ServiceProcess>();
        try
        {
            foreach (var name in names)
            {
                var env = ServiceEnvironment.For($"{prefix}:*", group, table);
                env["SC_STREAM_CONSUMER"] = name;
                env["SC_STREAM_CLAIMINTERVAL"] = "1s";
                env["SC_STREAM_CLAIMMINIDLE"] = "3s";
                env["SC_STREAM_READCOUNT"] = "100";
                env["SC_CHECKPOINT_TABLENAME"] = table + "-cp";
                env["SC_LOG_LEVEL"] = "debug";
                nodes.Add(ServiceProcess.Start(env, "run"));
            }

            using var dynamo = TestTables.Client();
            // Half-way by the group's own count (delivered minus pending = acknowledged), read from Redis
            // in real time; heartbeats refresh only every few seconds.
            await nodes[0].WaitWhileRunningAsync(() => AcknowledgedAsync(redis, streams, group), n => n >= Total / 2, Drain, "half of the entries acknowledged");
            var victim = nodes[1];
            victim.Signal(ServiceProcess.SigKill);
            await victim.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var held = 0L;
            foreach (var stream in streams)
            {
                held += (await redis.XPendingAsync(stream, group)).Consumers.Where(c => c.Consumer == names[1]).Sum(c => c.Count);
            }

            Assert.True(await AcknowledgedAsync(redis, streams, group) < Total, "the kill was not half-way; the test proves nothing");

            // The survivors claim what the victim held; every stream fully delivered, nothing pending.
            await nodes[0].WaitWhileRunningAsync(async () =>
            {
                var open = 0L;
                foreach (var stream in streams)
                {
                    // Compared with the stream's own last ID: pipelined XADDs need not finish in the order they were issued.
                    var last = (await redis.XInfoStreamAsync(stream)).LastGeneratedId;
                    var info = (await redis.XInfoGroupsAsync(stream)).Single(g => g.Name == group);
                    open += info.Pending + (info.LastDeliveredId == last ? 0 : 1);
                }

                return open;
            }, open => open == 0, Drain, "every entry delivered and acknowledged");

            var items = await TestTables.ScanAllAsync(dynamo, table);
            Assert.Equal(Total, items.Count);
            foreach (var item in items)
            {
                var n = int.Parse(item["pk"].S, CultureInfo.InvariantCulture);
                Assert.Equal(streams[n % StreamCount], item["stream"].S);
            }

            foreach (var stream in streams)
            {
                Assert.Equal(0, await redis.XLenAsync(stream + ":dlq"));
            }

            // Each of the three processed a share: the victim died holding entries (which the survivors
            // then claimed), and the survivors' heartbeats count their writes.
            Assert.True(held > 0, "the victim held no pending entries when it was killed");
            foreach (var survivor in new[] { names[0], names[2] })
            {
                var beat = NodeHeartbeat.FromJson(await redis.GetAsync(NodeHeartbeat.KeyFor(group, survivor)));
                Assert.True(beat is { Written: > 0 }, $"{survivor} wrote nothing");
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task<long> AcknowledgedAsync(RedisClient redis, string[] streams, string group)
    {
        long acknowledged = 0;
        foreach (var stream in streams)
        {
            var info = (await redis.XInfoGroupsAsync(stream)).SingleOrDefault(g => g.Name == group);
            acknowledged += info is null ? 0 : (info.EntriesRead ?? 0) - info.Pending;
        }

        return acknowledged;
    }

    private static async Task<int> SafeCountAsync(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo, string table)
    {
        try
        {
            return await TestTables.CountAsync(dynamo, table);
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            return 0;
        }
    }
}
