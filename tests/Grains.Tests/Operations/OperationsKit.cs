using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Checkpoints;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Options;
using DynamoWriter.Tests;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Tests.Operations;

/// <summary>Real servers for the operations tests: the shared Redis and DynamoDB server, unique keys and tables per test.</summary>
internal static class OperationsKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static RedisServerOptions Server() => new() { Address = TestServers.RedisAddress };

    public static DynamoWriterRedis Redis() => new(Server(), "dynamo-writer:tests");

    public static DynamoWriterOptions NewOptions(params string[] streams)
    {
        var options = new DynamoWriterOptions();
        options.Stream.Redis.Address = TestServers.RedisAddress;
        options.Stream.Streams = [.. streams];
        options.Stream.Group = TestServers.Unique("g");
        options.Checkpoint.TableName = TestServers.Unique("cp");
        options.DynamoDB.Endpoint = TestServers.DynamoEndpoint;
        return options;
    }

    public static async Task CreateCheckpointTableAsync(IAmazonDynamoDB dynamo, string table)
    {
        await dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            AttributeDefinitions = [new AttributeDefinition(CheckpointKeys.KeyAttribute, ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement(CheckpointKeys.KeyAttribute, KeyType.HASH)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        await Eventually.WaitAsync(async () => (await dynamo.DescribeTableAsync(table)).Table.TableStatus,
            s => s == TableStatus.ACTIVE, Deadline, $"table {table} active");
    }

    /// <summary>Writes a checkpoint item the way the writer grain's storage does: pk = group|stream, state = JSON (web defaults).</summary>
    public static Task PutCheckpointAsync(IAmazonDynamoDB dynamo, string table, StreamCheckpoint checkpoint) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = new()
            {
                [CheckpointKeys.KeyAttribute] = new AttributeValue { S = CheckpointKeys.For(checkpoint.Group, checkpoint.Stream) },
                [CheckpointKeys.StateAttribute] = new AttributeValue { S = JsonSerializer.Serialize(checkpoint, new JsonSerializerOptions(JsonSerializerDefaults.Web)) },
            },
        });

    /// <summary>Every entry of <paramref name="stream"/> as (id, fields).</summary>
    public static async Task<List<(string Id, StreamField[] Fields)>> AllAsync(IDatabase db, string stream) =>
        [.. (await db.StreamRangeAsync(stream)).Select(e => ((string)e.Id!, e.Values.Select(v => new StreamField(v.Name!, v.Value!)).ToArray()))];

    public static string? Field(StreamField[] fields, string name) => fields.LastOrDefault(f => f.Name == name).Value;
}
