using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Checkpoints;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Options;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Tests;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Tests.Engine;

/// <summary>What the engine tests share: deadlines, tables, checkpoints, Redis helpers.</summary>
internal static class EngineKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static TestRedis Redis()
    {
        // Generous timeouts: tests produce thousands of entries while silos of other tests share two cores.
        var config = ConfigurationOptions.Parse(TestServers.RedisAddress);
        config.AsyncTimeout = 30_000;
        config.SyncTimeout = 30_000;
        return new(ConnectionMultiplexer.Connect(config));
    }

    /// <summary>Creates a table with a hash key of the given name and type and waits until it is ACTIVE.</summary>
    public static async Task CreateTableAsync(IAmazonDynamoDB dynamo, string table, string hashKey, ScalarAttributeType type)
    {
        await dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            KeySchema = [new KeySchemaElement(hashKey, KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition(hashKey, type)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        await Eventually.WaitAsync(
            async () => (await dynamo.DescribeTableAsync(table)).Table.TableStatus,
            s => s == TableStatus.ACTIVE,
            Deadline,
            $"table {table} active");
    }

    /// <summary>The stream's checkpoint as the writer grain stored it (null when none yet).</summary>
    public static async Task<StreamCheckpoint?> CheckpointAsync(IAmazonDynamoDB dynamo, DynamoWriterOptions options, string stream)
    {
        var (state, _) = await DynamoDbGrainStorage.ReadItemAsync<StreamCheckpoint>(
            dynamo, options.Checkpoint.TableName, CheckpointKeys.For(options.Stream.Group, stream), CancellationToken.None);
        return state;
    }

    /// <summary>Waits until the checkpoint of <paramref name="stream"/> counts <paramref name="written"/> at <paramref name="position"/>.</summary>
    public static Task<StreamCheckpoint?> WaitForCheckpointAsync(IAmazonDynamoDB dynamo, DynamoWriterOptions options, string stream, long written, string position) =>
        Eventually.WaitAsync(
            () => CheckpointAsync(dynamo, options, stream),
            c => c is not null && c.Written == written && c.Position == position,
            Deadline,
            $"checkpoint of {stream} at {position} counting {written} written");

    /// <summary>The fields of a dead letter that are not the ones dead-lettering added, in order.</summary>
    public static List<StreamField> Original(StreamEntry entry) =>
        [.. entry.Fields.Where(f => !DeadLetterFields.IsAdded(f.Name))];

    public static async Task<Dictionary<string, AttributeValue>?> GetAsync(IAmazonDynamoDB dynamo, string table, string keyName, AttributeValue key)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { [keyName] = key }, ConsistentRead = true });
        return response.Item is { Count: > 0 } item ? item : null;
    }
}

/// <summary>The Redis commands the engine tests produce and inspect with, on StackExchange.Redis.</summary>
internal sealed class TestRedis(ConnectionMultiplexer mux) : IAsyncDisposable
{
    public IDatabase Db { get; } = mux.GetDatabase();

    public async Task<string> XAddAsync(string stream, IReadOnlyList<StreamField> fields) =>
        (string)(await Db.StreamAddAsync(stream, [.. fields.Select(f => new NameValueEntry(f.Name, f.Value))]))!;

    public Task<bool> XGroupCreateAsync(string stream, string group, string position, bool mkStream) =>
        Db.StreamCreateConsumerGroupAsync(stream, group, position, mkStream);

    public Task<bool> XGroupDestroyAsync(string stream, string group) => Db.StreamDeleteConsumerGroupAsync(stream, group);

    public async Task<IReadOnlyList<StreamEntry>> XReadGroupAsync(string group, string consumer, string stream, int count) =>
        [.. (await Db.StreamReadGroupAsync(stream, group, consumer, ">", count)).Select(e => ToEntry(stream, e))];

    public async Task<IReadOnlyList<StreamEntry>> AllAsync(string stream) =>
        [.. (await Db.StreamRangeAsync(stream)).Select(e => ToEntry(stream, e))];

    public async Task<int> PendingAsync(string stream, string group) =>
        (int)(await Db.StreamPendingAsync(stream, group)).PendingMessageCount;

    public async Task<IReadOnlyList<StreamPendingMessageInfo>> PendingRangeAsync(string stream, string group, string from, string to, int count) =>
        await Db.StreamPendingMessagesAsync(stream, group, count, RedisValue.Null, from, to);

    public async Task<long> XLenAsync(string key) => await Db.KeyExistsAsync(key) ? await Db.StreamLengthAsync(key) : 0;

    public async Task<IReadOnlyList<StreamGroupInfo>> GroupsAsync(string stream) =>
        await Db.KeyExistsAsync(stream) ? await Db.StreamGroupInfoAsync(stream) : [];

    public async Task<IReadOnlyList<StreamConsumerInfo>> ConsumersAsync(string stream, string group) =>
        await Db.StreamConsumerInfoAsync(stream, group);

    public Task<RedisResult> ExecuteAsync(string command, params object[] args) => Db.ExecuteAsync(command, args);

    public async ValueTask DisposeAsync() => await mux.DisposeAsync();

    private static StreamEntry ToEntry(string stream, StackExchange.Redis.StreamEntry e) =>
        new(stream, (string)e.Id!, [.. e.Values.Select(v => new StreamField((string)v.Name!, (string?)v.Value ?? ""))]);
}
