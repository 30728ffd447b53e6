using System.Globalization;
using DynamoWriter.Tests;
using StackExchange.Redis;
using Xunit.Abstractions;
using static DynamoWriter.Silo.Tests.Scale.ClusterProbes;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>
/// Issue 4: N identical processes form one Orleans cluster (membership in Redis) and share the group's
/// queues; a node killed half-way loses nothing. Consumers are the queues (<c>dynamo-writer-q&lt;n&gt;</c>),
/// the same on every silo, so what the victim held is re-read by whichever survivor takes its queues over.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterRun.Collection)]
public sealed partial class ThreeNodeTests(ITestOutputHelper output)
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
        var cluster = TestServers.Unique("cluster");
        await using var connection = TestRedis.Connect(TestServers.RedisAddress);
        var redis = connection.GetDatabase();
        var tasks = new List<Task<RedisValue>>(Total);
        for (var i = 0; i < Total; i++)
        {
            var stream = streams[i % StreamCount];
            var n = i.ToString(CultureInfo.InvariantCulture);
            tasks.Add(redis.StreamAddAsync(stream, [new("pk", n), new("stream", stream)]));
        }

        // Entry IDs are unique per stream only; the key of entry i is "i".
        var ids = await Task.WhenAll(tasks);
        var pkOf = Enumerable.Range(0, Total).ToDictionary(i => (streams[i % StreamCount], ids[i].ToString()), i => i.ToString(CultureInfo.InvariantCulture));

        var nodes = new List<ServiceProcess>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var env = ServiceEnvironment.For($"{prefix}:*", group, table).JoinCluster(cluster);
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
            // The victim is whichever of nodes 1 and 2 holds more pending entries: queues are spread by Orleans,
            // and a silo whose few streams are already drained would prove nothing when killed. Wait until one does.
            var pendingOf = new Dictionary<ServiceProcess, long>();
            await nodes[0].WaitWhileRunningAsync(async () =>
            {
                foreach (var candidate in new[] { nodes[1], nodes[2] })
                {
                    var queues = QueuesHeld(candidate.Output);
                    pendingOf[candidate] = 0;
                    foreach (var stream in streams)
                    {
                        pendingOf[candidate] += (await redis.StreamPendingAsync(stream, group)).Consumers.Where(c => queues.Contains(c.Name.ToString())).Sum(c => (long)c.PendingMessageCount);
                    }
                }

                return pendingOf.Values.Max();
            }, held => held > 0, Drain, "node 1 or 2 holding pending entries");
            var victim = pendingOf[nodes[1]] >= pendingOf[nodes[2]] ? nodes[1] : nodes[2];
            var survivors = new[] { nodes[0], victim == nodes[1] ? nodes[2] : nodes[1] };
            var victimQueues = QueuesHeld(victim.Output);
            victim.Signal(ServiceProcess.SigKill);
            var sinceKill = System.Diagnostics.Stopwatch.StartNew();
            var killedAt = clock.Elapsed;
            // What the victim held is taken right after the kill: its consumers' pending lists are still
            // untouched, since no survivor can own its queues before membership declares it dead.
            var held = await HeldEntriesAsync(redis, streams, group, victimQueues, pkOf);
            await victim.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"half-way after {killedAt.TotalSeconds:F1}s; victim {victim.Id} read queues {string.Join(", ", victimQueues)} holding {held.Count} entries");
            Assert.True(await AcknowledgedAsync(redis, streams, group) < Total, "the kill was not half-way; the test proves nothing");

            // Three moments after the kill, polled together: the survivors own all the victim's queues
            // (membership declared it dead, the balancer moved them); every entry the victim held is in
            // DynamoDB; every entry of every stream is delivered and acknowledged (an entry is acknowledged
            // only once its write is durable).
            var unwritten = new HashSet<string>(held, StringComparer.Ordinal);
            TimeSpan? owned = null, heldWritten = null, allWritten = null;
            var allWrittenAt = DateTimeOffset.MaxValue;
            await nodes[0].WaitWhileRunningAsync(async () =>
            {
                if (owned is null && victimQueues.IsSubsetOf(survivors.SelectMany(n => QueuesHeld(n.Output))))
                {
                    owned = sinceKill.Elapsed;
                }

                if (allWritten is null && await OpenEntriesAsync(redis, streams, group) == 0)
                {
                    allWritten = sinceKill.Elapsed;
                    allWrittenAt = DateTimeOffset.UtcNow;
                }

                // Last, as a round of BatchGetItem over thousands of keys is the slowest of the three.
                if (heldWritten is null && (unwritten.Count == 0 || await RemoveWrittenAsync(dynamo, table, unwritten) == 0))
                {
                    heldWritten = sinceKill.Elapsed;
                }

                return owned is not null && heldWritten is not null && allWritten is not null;
            }, done => done, Drain, "the victim's queues owned, its entries written, every entry delivered and acknowledged");
            output.WriteLine($"SIGKILL -> survivors own all {victimQueues.Count} queues of the victim: {owned!.Value.TotalSeconds:F1}s");
            output.WriteLine($"SIGKILL -> the {held.Count} entries the victim held are in DynamoDB: {heldWritten!.Value.TotalSeconds:F1}s");
            output.WriteLine($"SIGKILL -> all {Total} entries written and acknowledged: {allWritten!.Value.TotalSeconds:F1}s");
            foreach (var survivor in survivors)
            {
                var took = QueueTakeovers().Matches(survivor.Output).Where(m => victimQueues.Contains(m.Groups["consumer"].Value)).Select(m => m.Groups["at"].Value);
                output.WriteLine($"survivor {survivor.Id} started the victim's queues at {string.Join(", ", took)}");
            }

            var limit = TimeSpan.FromSeconds(30);
            Assert.True(owned <= limit, $"the survivors took {owned.Value.TotalSeconds:F1}s to own the victim's queues");
            Assert.True(heldWritten <= limit, $"the victim's entries took {heldWritten.Value.TotalSeconds:F1}s to be written");
            Assert.True(allWritten <= limit, $"all entries took {allWritten.Value.TotalSeconds:F1}s to be written");

            var items = await TestTables.ScanAllAsync(dynamo, table);
            Assert.Equal(Total, items.Count);
            foreach (var item in items)
            {
                var n = int.Parse(item["pk"].S, CultureInfo.InvariantCulture);
                Assert.Equal(streams[n % StreamCount], item["stream"].S);
            }

            foreach (var stream in streams)
            {
                Assert.Equal(0, (await redis.StreamPendingAsync(stream, group)).PendingMessageCount);
                Assert.Equal(0, await redis.StreamLengthAsync(stream + ":dlq"));
                // Consumers are the queues, whichever silo read them: no per-process consumer names.
                foreach (var consumer in await redis.StreamConsumerInfoAsync(stream, group))
                {
                    Assert.Matches(QueueConsumer(), consumer.Name);
                }
            }

            // The victim died holding entries, which the survivors then re-read and wrote: their heartbeats
            // (keyed by silo name) count reads and writes. Streams hash onto queues, so a survivor whose
            // queues got no stream reads nothing, and writes are counted where the writer grain of a stream
            // lives, which Orleans' placement chooses independently of the queue: only the sums are asserted,
            // and each covers at least what the victim held, since only a survivor can have read and written
            // that. A heartbeat is refreshed every few seconds, so only one sent after the last write counts.
            Assert.True(victimQueues.Count > 0, $"the victim read no queue when it was killed. Output:\n{victim.Output}");
            Assert.True(held.Count > 0, $"the victim's queues ({string.Join(", ", victimQueues)}) held no pending entries when it was killed");
            var read = 0L;
            var written = 0L;
            foreach (var survivor in survivors)
            {
                var beat = await survivor.WaitWhileRunningAsync(() => HeartbeatOfAsync(connection, group, survivor.Id),
                    b => b is not null && b.UpdatedAt > allWrittenAt, TimeSpan.FromSeconds(30), $"a heartbeat of process {survivor.Id}, sent after every entry was written");
                Assert.Equal(group, beat!.Group);
                output.WriteLine($"survivor {survivor.Id} ({beat.Name}): read {beat.Read}, written {beat.Written}, acknowledged {beat.Acknowledged}");
                read += beat.Read;
                written += beat.Written;
            }

            Assert.True(read >= held.Count, $"the survivors read {read} entries, fewer than the {held.Count} the victim held");
            Assert.True(written >= held.Count, $"the survivors wrote {written} entries, fewer than the {held.Count} the victim held");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
