using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Checkpoints;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Grains.Operations.Status;
using DynamoWriter.Options;
using DynamoWriter.Status;
using DynamoWriter.Tests;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Status;

/// <summary>
/// <c>dynamo-writer status</c> against a scripted state: every number it reports is known in advance.
/// Entry IDs are set explicitly two minutes in the past so the oldest pending age is predictable.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StatusCommandTests : IAsyncLifetime
{
    private const int Entries = 10;
    private const int Read = 6;
    private const int Acked = 2;
    private const int DeadLetters = 3;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly string _stream = TestServers.Unique("st");
    private readonly string _missing = TestServers.Unique("missing");
    private readonly string _prefix = TestServers.Unique("glob");
    private readonly string _group = TestServers.Unique("g");
    private readonly string _checkpointTable = TestServers.Unique("cp");
    private readonly long _baseMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 120_000;
    private readonly DateTimeOffset _heartbeatAt = DateTimeOffset.UtcNow.AddSeconds(-2);
    private DynamoWriterRedis _redis = null!;
    private IDatabase _db = null!;
    private IAmazonDynamoDB _dynamo = null!;

    private string GlobStream => $"{_prefix}:a";

    public async Task InitializeAsync()
    {
        _redis = new DynamoWriterRedis(new RedisServerOptions { Address = TestServers.RedisAddress }, "dynamo-writer:tests");
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

        await _dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = _checkpointTable,
            AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        await Eventually.WaitAsync(async () => (await _dynamo.DescribeTableAsync(_checkpointTable)).Table.TableStatus,
            s => s == TableStatus.ACTIVE, TimeSpan.FromSeconds(30), $"table {_checkpointTable} active");
        // The writer grain's state, as its DynamoDB storage keeps it: pk = group|stream, state = JSON.
        var state = new StreamCheckpoint
        {
            Group = _group, Stream = _stream, Position = Id(Acked - 1), Written = 2, Skipped = 0, DeadLettered = 1, Deleted = 4,
            UpdatedAt = DateTimeOffset.UtcNow, UpdatedBy = "node-a",
        };
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _checkpointTable,
            Item = new()
            {
                [CheckpointKeys.KeyAttribute] = new AttributeValue { S = CheckpointKeys.For(_group, _stream) },
                [CheckpointKeys.StateAttribute] = new AttributeValue { S = JsonSerializer.Serialize(state, new JsonSerializerOptions(JsonSerializerDefaults.Web)) },
            },
        });

        await Beat(new NodeHeartbeat("node-b", _group, "0.1.0", "host-b", 2002, _heartbeatAt.AddMinutes(-5), _heartbeatAt, [_stream], 1, 1, 0, 0, 1));
        await Beat(new NodeHeartbeat("node-a", _group, "0.1.0", "host-a", 1001, _heartbeatAt.AddMinutes(-10), _heartbeatAt, [_stream, GlobStream], 6, 2, 0, 1, 3) { Deleted = 5 });
        // A group whose name starts with ours: its key matches our SCAN pattern, but it is not our node.
        await Beat(new NodeHeartbeat("node-c", $"{_group}:other", "0.1.0", "host-c", 3003, _heartbeatAt, _heartbeatAt, [_stream], 0, 0, 0, 0, 0));
    }

    private string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"{_baseMs + i}-0");

    private Task Beat(NodeHeartbeat beat) => _db.StringSetAsync(NodeHeartbeat.KeyFor(beat.Group, beat.Name), beat.ToJson(), TimeSpan.FromMinutes(2));

    private Dictionary<string, string> Environment()
    {
        var env = ServiceEnvironment.For($"{_stream},{_missing},{_prefix}:*", _group, TestServers.Unique("t"));
        env["SC_CHECKPOINT_TABLENAME"] = _checkpointTable;
        return env;
    }

    [Fact]
    public async Task Json_reports_every_number_of_the_scripted_state()
    {
        var before = DateTimeOffset.UtcNow;
        var (code, output) = await ServiceProcess.RunToEndAsync(Environment(), RunTimeout, "status", "--json");
        var after = DateTimeOffset.UtcNow;
        Assert.True(code == 0, $"exit {code}: {output}");

        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(_group, root.GetProperty("group").GetString());
        var generatedAt = root.GetProperty("generatedAt").GetDateTimeOffset();
        Assert.InRange(generatedAt, before, after);

        var streams = root.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal([_stream, _missing, GlobStream], streams.Select(s => s.GetProperty("stream").GetString()));

        var main = streams[0];
        Assert.True(main.GetProperty("exists").GetBoolean());
        Assert.Equal(Entries, main.GetProperty("length").GetInt64());
        Assert.True(main.GetProperty("groupExists").GetBoolean());
        Assert.Equal(Entries - Read, main.GetProperty("lag").GetInt64());
        Assert.Equal(Read - Acked, main.GetProperty("pending").GetInt64());
        // The oldest pending entry is the first one read and not acknowledged: entry #2, whose ID time is known.
        var oldestMs = _baseMs + Acked;
        var age = main.GetProperty("oldestPendingAgeSeconds").GetDouble();
        Assert.InRange(age, ((before.ToUnixTimeMilliseconds() - oldestMs) / 1000.0) - 0.01, ((after.ToUnixTimeMilliseconds() - oldestMs) / 1000.0) + 0.01);
        Assert.Equal($"{_stream}:dlq", main.GetProperty("deadLetter").GetProperty("stream").GetString());
        Assert.Equal(DeadLetters, main.GetProperty("deadLetter").GetProperty("length").GetInt64());
        var checkpoint = main.GetProperty("checkpoint");
        Assert.Equal(Id(Acked - 1), checkpoint.GetProperty("id").GetString());
        Assert.Equal(2, checkpoint.GetProperty("written").GetInt64());
        Assert.Equal(0, checkpoint.GetProperty("skipped").GetInt64());
        Assert.Equal(1, checkpoint.GetProperty("deadLettered").GetInt64());
        Assert.Equal(4, checkpoint.GetProperty("deleted").GetInt64());
        Assert.Equal("node-a", checkpoint.GetProperty("updatedBy").GetString());
        Assert.InRange(checkpoint.GetProperty("updatedAt").GetDateTimeOffset(), before.AddMinutes(-2), after);

        var missing = streams[1];
        Assert.False(missing.GetProperty("exists").GetBoolean());
        Assert.Equal(0, missing.GetProperty("length").GetInt64());
        Assert.False(missing.GetProperty("groupExists").GetBoolean());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("lag").ValueKind);
        Assert.Equal(0, missing.GetProperty("pending").GetInt64());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("oldestPendingAgeSeconds").ValueKind);
        Assert.Equal(0, missing.GetProperty("deadLetter").GetProperty("length").GetInt64());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("checkpoint").ValueKind);

        var glob = streams[2];
        Assert.True(glob.GetProperty("exists").GetBoolean());
        Assert.Equal(3, glob.GetProperty("length").GetInt64());
        Assert.False(glob.GetProperty("groupExists").GetBoolean());
        Assert.Equal($"{GlobStream}:dlq", glob.GetProperty("deadLetter").GetProperty("stream").GetString());
        Assert.Equal(1, glob.GetProperty("deadLetter").GetProperty("length").GetInt64());
        Assert.Equal(JsonValueKind.Null, glob.GetProperty("checkpoint").ValueKind);

        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["node-a", "node-b"], nodes.Select(n => n.GetProperty("name").GetString()));
        var a = nodes[0];
        Assert.Equal("host-a", a.GetProperty("host").GetString());
        Assert.Equal(1001, a.GetProperty("pid").GetInt32());
        Assert.Equal("0.1.0", a.GetProperty("version").GetString());
        Assert.Equal(_heartbeatAt.AddMinutes(-10), a.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(_heartbeatAt, a.GetProperty("lastHeartbeatAt").GetDateTimeOffset());
        Assert.InRange(a.GetProperty("lastHeartbeatAgeSeconds").GetDouble(), (before - _heartbeatAt).TotalSeconds - 0.01, (after - _heartbeatAt).TotalSeconds + 0.01);
        Assert.Equal([_stream, GlobStream], a.GetProperty("streams").EnumerateArray().Select(s => s.GetString()));
        var counts = a.GetProperty("counts");
        Assert.Equal(6, counts.GetProperty("read").GetInt64());
        Assert.Equal(2, counts.GetProperty("written").GetInt64());
        Assert.Equal(0, counts.GetProperty("skipped").GetInt64());
        Assert.Equal(1, counts.GetProperty("deadLettered").GetInt64());
        Assert.Equal(3, counts.GetProperty("acknowledged").GetInt64());
        Assert.Equal(5, counts.GetProperty("deleted").GetInt64());
        Assert.Equal(2002, nodes[1].GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Tables_for_people_name_the_streams_and_nodes()
    {
        var (code, output) = await ServiceProcess.RunToEndAsync(Environment(), RunTimeout, "status");
        Assert.True(code == 0, $"exit {code}: {output}");
        Assert.Contains(_group, output, StringComparison.Ordinal);
        Assert.Contains(_stream, output, StringComparison.Ordinal);
        Assert.Contains(GlobStream, output, StringComparison.Ordinal);
        Assert.Contains("node-a", output, StringComparison.Ordinal);
        Assert.Contains("node-b", output, StringComparison.Ordinal);
        Assert.DoesNotContain("node-c", output, StringComparison.Ordinal);
        Assert.Contains("4 deleted", output, StringComparison.Ordinal);
        Assert.Contains("deleted", output.Split('\n').Single(l => l.Contains("acked", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_redis_is_exit_code_1_with_a_message()
    {
        var env = Environment();
        env["SC_STREAM_REDIS_ADDRESS"] = "127.0.0.1:1";
        var (code, output) = await ServiceProcess.RunToEndAsync(env, RunTimeout, "status", "--json");
        Assert.True(code == 1, $"exit {code}: {output}");
        Assert.StartsWith("status:", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_in_process_with_a_fixed_clock_and_no_checkpoint_table()
    {
        var options = new DynamoWriterOptions();
        options.Stream.Streams = [_stream, $"{_prefix}:*"];
        options.Stream.Group = _group;
        options.Checkpoint.TableName = TestServers.Unique("no-such-table");
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_baseMs + Acked + 10_000);

        var report = await new StatusReader(_redis, _dynamo, options, new FakeTimeProvider(now)).ReadAsync(default);

        Assert.Equal(now, report.GeneratedAt);
        Assert.Equal([_stream, GlobStream], report.Streams.Select(s => s.Stream));
        var main = report.Streams[0];
        Assert.Equal((Entries, 4L, 4L, 10.0, DeadLetters), (main.Length, main.Lag!.Value, main.Pending, main.OldestPendingAgeSeconds!.Value, main.DeadLetter.Length));
        Assert.All(report.Streams, s => Assert.Null(s.Checkpoint));
        Assert.Equal(["node-a", "node-b"], report.Nodes.Select(n => n.Name));

        // Round trip through the documented JSON.
        var again = StatusReport.FromJson(report.ToJson())!;
        Assert.Equal(report.Streams, again.Streams);
        Assert.Equal(report.Nodes.Select(n => n with { Streams = [], Queues = [] }), again.Nodes.Select(n => n with { Streams = [], Queues = [] }));
    }

    public async Task DisposeAsync()
    {
        await _db.KeyDeleteAsync([_stream, $"{_stream}:dlq", GlobStream, $"{GlobStream}:dlq",
            NodeHeartbeat.KeyFor(_group, "node-a"), NodeHeartbeat.KeyFor(_group, "node-b"), NodeHeartbeat.KeyFor($"{_group}:other", "node-c")]);
        await _redis.DisposeAsync();
        _dynamo.Dispose();
    }
}
