using System.Globalization;
using Amazon.DynamoDBv2;
using DynamoWriter.Checkpoints;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Grains.Operations.Status;
using DynamoWriter.Status;
using DynamoWriter.Tests;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Tests.Operations.Status;

/// <summary>
/// <see cref="StatusReader"/> against a scripted state with a fixed clock: every number is known in advance.
/// Entry IDs are set explicitly two minutes in the past so the oldest pending age is predictable.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StatusReaderTests : IAsyncLifetime
{
    private const int Entries = 10;
    private const int Read = 6;
    private const int Acked = 2;
    private const int DeadLetters = 3;

    private readonly string _stream = TestServers.Unique("st");
    private readonly string _missing = TestServers.Unique("missing");
    private readonly string _prefix = TestServers.Unique("glob");
    private readonly string _group = TestServers.Unique("g");
    private readonly string _clusterId = TestServers.Unique("cluster");
    private readonly long _baseMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 120_000;
    private readonly DateTimeOffset _heartbeatAt = DateTimeOffset.UtcNow.AddSeconds(-2);
    private DynamoWriterRedis _redis = null!;
    private IDatabase _db = null!;
    private IAmazonDynamoDB _dynamo = null!;

    private string GlobStream => $"{_prefix}:a";

    public async Task InitializeAsync()
    {
        _redis = OperationsKit.Redis();
        _db = await _redis.GetDatabaseAsync();
        _dynamo = TestTables.Client();

        // Stream of 10 entries; the group read 6 of them and acknowledged the first 2: lag 4, pending 4.
        for (var i = 0; i < Entries; i++)
        {
            await _db.StreamAddAsync(_stream, "pk", $"k{i}", Id(i));
        }

        await _db.StreamCreateConsumerGroupAsync(_stream, _group, "0", createStream: false);
        var read = await _db.StreamReadGroupAsync(_stream, _group, "scripted-consumer", ">", Read);
        Assert.Equal(Read, read.Length);
        Assert.Equal(Acked, await _db.StreamAcknowledgeAsync(_stream, _group, read.Take(Acked).Select(e => e.Id).ToArray()));
        for (var i = 0; i < DeadLetters; i++)
        {
            await _db.StreamAddAsync($"{_stream}:dlq", [new NameValueEntry("pk", $"bad{i}"), new NameValueEntry("dw:error-kind", "missing-key")]);
        }

        // A stream found through the glob pattern, and its dead-letter stream, which the pattern also matches.
        for (var i = 0; i < 3; i++)
        {
            await _db.StreamAddAsync(GlobStream, "pk", $"g{i}");
        }

        await _db.StreamAddAsync($"{GlobStream}:dlq", "pk", "g-bad");
        // A key the pattern matches that is not a stream.
        await _db.StringSetAsync($"{_prefix}:not-a-stream", "x");

        await Beat(new NodeHeartbeat("node-b", _group, "0.1.0", "host-b", 2002, _heartbeatAt.AddMinutes(-5), _heartbeatAt, [_stream], 1, 1, 0, 0, 1));
        await Beat(new NodeHeartbeat("node-a", _group, "0.1.0", "host-a", 1001, _heartbeatAt.AddMinutes(-10), _heartbeatAt, [_stream, GlobStream], 6, 2, 0, 1, 3));
        // A group whose name starts with ours: its key matches our SCAN pattern, but it is not our node.
        await Beat(new NodeHeartbeat("node-c", $"{_group}:other", "0.1.0", "host-c", 3003, _heartbeatAt, _heartbeatAt, [_stream], 0, 0, 0, 0, 0));
        // Not a heartbeat at all: skipped.
        await _db.HashSetAsync(NodeHeartbeat.KeyFor(_group, "node-hash"), "a", "b");
    }

    private string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"{_baseMs + i}-0");

    private Task Beat(NodeHeartbeat beat) => _db.StringSetAsync(NodeHeartbeat.KeyFor(beat.Group, beat.Name), beat.ToJson(), TimeSpan.FromMinutes(2));

    private Grains.Operations.Status.StatusReader Reader(string checkpointTable, DateTimeOffset now)
    {
        var options = OperationsKit.NewOptions(_stream, _missing, $"{_prefix}:*");
        options.Stream.Group = _group;
        options.Checkpoint.TableName = checkpointTable;
        options.Orleans.ClusterId = _clusterId;
        return new(_redis, _dynamo, options, new FakeTimeProvider(now));
    }

    [Fact]
    public async Task Reports_every_number_of_the_scripted_state_without_a_checkpoint_table()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_baseMs + Acked + 10_000);

        var report = await Reader(TestServers.Unique("no-such-table"), now).ReadAsync(default);

        Assert.Equal(now, report.GeneratedAt);
        Assert.Equal(_group, report.Group);
        Assert.Equal([_stream, _missing, GlobStream], report.Streams.Select(s => s.Stream));
        var main = report.Streams[0];
        Assert.Equal((true, Entries, true, 4L, 4L, 10.0, $"{_stream}:dlq", DeadLetters),
            (main.Exists, main.Length, main.GroupExists, main.Lag!.Value, main.Pending, main.OldestPendingAgeSeconds!.Value, main.DeadLetter.Stream, main.DeadLetter.Length));
        var missing = report.Streams[1];
        Assert.Equal((false, 0L, false, (long?)null, 0L, (double?)null, 0L), (missing.Exists, missing.Length, missing.GroupExists, missing.Lag, missing.Pending, missing.OldestPendingAgeSeconds, missing.DeadLetter.Length));
        var glob = report.Streams[2];
        Assert.Equal((true, 3L, false, 1L), (glob.Exists, glob.Length, glob.GroupExists, glob.DeadLetter.Length));
        Assert.All(report.Streams, s => Assert.Null(s.Checkpoint));

        Assert.Equal(["node-a", "node-b"], report.Nodes.Select(n => n.Name));
        var a = report.Nodes[0];
        Assert.Equal(("host-a", 1001, "0.1.0", _heartbeatAt.AddMinutes(-10), _heartbeatAt), (a.Host, a.Pid, a.Version, a.StartedAt, a.LastHeartbeatAt));
        Assert.Equal([_stream, GlobStream], a.Streams);
        Assert.Equal(new NodeCounts(6, 2, 0, 1, 3), a.Counts);
        Assert.Equal(0, a.LastHeartbeatAgeSeconds); // the fixed clock is before the heartbeat: never negative

        // Round trip through the documented JSON.
        var again = StatusReport.FromJson(report.ToJson())!;
        Assert.Equal(report.Streams, again.Streams);
        Assert.Equal(report.Nodes.Select(n => n with { Streams = [], Queues = [] }), again.Nodes.Select(n => n with { Streams = [], Queues = [] }));
    }

    [Fact]
    public async Task The_checkpoint_is_the_writer_grains_state_in_the_checkpoint_table()
    {
        var table = TestServers.Unique("cp");
        await OperationsKit.CreateCheckpointTableAsync(_dynamo, table);
        var updatedAt = DateTimeOffset.UtcNow.AddSeconds(-30);
        await OperationsKit.PutCheckpointAsync(_dynamo, table, new StreamCheckpoint
        {
            Group = _group, Stream = _stream, Position = Id(Acked - 1), Written = 2, Skipped = 0, DeadLettered = 1, UpdatedAt = updatedAt, UpdatedBy = "node-a",
        });
        // Another group's checkpoint of the same stream is not ours.
        await OperationsKit.PutCheckpointAsync(_dynamo, table, new StreamCheckpoint { Group = "other", Stream = GlobStream, Position = "1-0" });

        var report = await Reader(table, DateTimeOffset.UtcNow).ReadAsync(default);

        Assert.Equal(new CheckpointStatus(Id(Acked - 1), 2, 0, 1, updatedAt, "node-a"), report.Streams[0].Checkpoint);
        Assert.Null(report.Streams[1].Checkpoint);
        Assert.Null(report.Streams[2].Checkpoint);
        Assert.Equal($"{_group}|{_stream}", CheckpointKeys.For(_group, _stream));
        Assert.Equal(Id(Acked - 1), (await new CheckpointReader(_dynamo, table).GetAsync(_group, _stream, default))!.Position);
        Assert.Null(await new CheckpointReader(_dynamo, table).GetPositionAsync(_group, _missing, default));

        using var doc = System.Text.Json.JsonDocument.Parse(report.ToJson());
        var checkpoint = doc.RootElement.GetProperty("streams")[0].GetProperty("checkpoint");
        Assert.Equal(1, doc.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(Id(Acked - 1), checkpoint.GetProperty("id").GetString());
        Assert.Equal("node-a", checkpoint.GetProperty("updatedBy").GetString());
        Assert.Equal(1, checkpoint.GetProperty("deadLettered").GetInt64());
    }

    [Fact]
    public async Task Each_stream_names_its_queue_the_node_that_reads_it_and_the_clusters_silos()
    {
        var reader = Reader(TestServers.Unique("no-such-table"), DateTimeOffset.UtcNow);
        var before = await reader.ReadAsync(default);
        var queue = before.Streams[0].Queue!;
        Assert.Matches(@"^dynamo-writer-q[0-7]$", queue);
        Assert.All(before.Streams, s => Assert.Null(s.Owner)); // no live node says it reads a queue yet

        // A silo's heartbeat names the queues it reads; the membership table in Redis names the silos.
        await Beat(new NodeHeartbeat("node-d", _group, "0.1.0", "host-d", 4004, _heartbeatAt, _heartbeatAt, [_stream], 0, 0, 0, 0, 0) { Queues = [queue] });
        var orleans = new DynamoWriter.Options.OrleansOptions { ClusterId = _clusterId };
        await _db.HashSetAsync($"{orleans.ServiceId}/members/{_clusterId}", [
            new HashEntry("Version", "2"),
            new HashEntry("S127.0.0.1:11111:1", """{"SiloAddress":{"SiloAddress":"127.0.0.1:11111@1"},"Status":3,"HostName":"host-d","SiloName":"Silo_d","StartTime":"2026-12-02T07:59:14.9060842Z","IAmAliveTime":"2026-12-02T07:59:17.664843Z"}"""),
            new HashEntry("S127.0.0.1:11112:2", """{"SiloAddress":{"SiloAddress":"127.0.0.1:11112@2"},"Status":6,"HostName":"host-e","SiloName":"Silo_e","StartTime":"2026-12-02T07:00:00Z","IAmAliveTime":"2026-12-02T07:10:00Z"}"""),
        ]);

        var after = await reader.ReadAsync(default);

        Assert.Equal("node-d", after.Streams[0].Owner);
        Assert.Equal([queue], after.Nodes.Single(n => n.Name == "node-d").Queues);
        Assert.Equal(
            [new SiloMember("Silo_d", "127.0.0.1:11111@1", "host-d", "Active", DateTimeOffset.Parse("2026-12-02T07:59:14.9060842Z", CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-12-02T07:59:17.664843Z", CultureInfo.InvariantCulture)),
             new SiloMember("Silo_e", "127.0.0.1:11112@2", "host-e", "Dead", DateTimeOffset.Parse("2026-12-02T07:00:00Z", CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-12-02T07:10:00Z", CultureInfo.InvariantCulture))],
            after.Silos);
        using var doc = System.Text.Json.JsonDocument.Parse(after.ToJson());
        Assert.Equal("node-d", doc.RootElement.GetProperty("streams")[0].GetProperty("owner").GetString());
        Assert.Equal("Active", doc.RootElement.GetProperty("silos")[0].GetProperty("status").GetString());
    }

    public async Task DisposeAsync()
    {
        await _db.KeyDeleteAsync([_stream, $"{_stream}:dlq", GlobStream, $"{GlobStream}:dlq", $"{_prefix}:not-a-stream",
            NodeHeartbeat.KeyFor(_group, "node-a"), NodeHeartbeat.KeyFor(_group, "node-b"), NodeHeartbeat.KeyFor($"{_group}:other", "node-c"),
            NodeHeartbeat.KeyFor(_group, "node-hash"), NodeHeartbeat.KeyFor(_group, "node-d"), $"dynamo-writer/members/{_clusterId}"]);
        await _redis.DisposeAsync();
        _dynamo.Dispose();
    }
}
