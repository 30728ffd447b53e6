using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Options;
using DynamoWriter.Redis;
using DynamoWriter.Tests;

namespace DynamoWriter.Pipeline.Tests.Recovery;

internal static class RecoveryKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    public static RedisClient Redis() => new(new RedisClientOptions { Address = TestServers.RedisAddress });

    /// <summary>Options for a fresh group, consumer, table and checkpoint table, reading fast.</summary>
    public static DynamoWriterOptions NewOptions(params string[] streams)
    {
        var options = EngineHost.NewOptions(streams);
        options.Checkpoint.TableName = TestServers.Unique("cp");
        options.Checkpoint.Interval = TimeSpan.FromSeconds(1);
        options.DynamoDB.FlushInterval = TimeSpan.FromMilliseconds(20);
        return options;
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

    public static async Task<int> PendingAsync(RedisClient redis, string stream, string group) =>
        (int)(await redis.XPendingAsync(stream, group)).Count;

    public static async Task<IReadOnlyList<StreamEntry>> AllAsync(RedisClient redis, string stream) =>
        await redis.XRangeAsync(stream, "-", "+");

    /// <summary>The fields of an entry that are not DynamoWriter's own (<c>dw:</c>), in order.</summary>
    public static List<StreamField> Original(StreamEntry entry) =>
        [.. entry.Fields.Where(f => !f.Name.StartsWith("dw:", StringComparison.Ordinal))];

    public static async Task<Dictionary<string, AttributeValue>?> GetAsync(IAmazonDynamoDB dynamo, string table, string keyName, AttributeValue key)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { [keyName] = key }, ConsistentRead = true });
        return response.Item is { Count: > 0 } item ? item : null;
    }
}
