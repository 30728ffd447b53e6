using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Integration;

/// <summary>Helpers against the DynamoDB server that ./test.sh starts (DW_TEST_DYNAMO); a missing server fails.</summary>
internal static class DynamoServer
{
    public static DynamoDbOptions TestOptions(WritePolicy policy = WritePolicy.Overwrite, bool createTable = true) =>
        new() { Endpoint = TestServers.DynamoEndpoint, CreateTable = createTable, WritePolicy = policy };

    public static IAmazonDynamoDB Client() => DynamoClientFactory.Create(TestOptions());

    /// <summary>A new table with hash key pk (S), created through the catalog.</summary>
    public static async Task<(TableCatalog Catalog, TableKeySchema Schema)> NewStringTableAsync(IAmazonDynamoDB client)
    {
        var catalog = new TableCatalog(client, TestOptions());
        var schema = await catalog.GetSchemaAsync(TestServers.Unique("t"), default);
        return (catalog, schema);
    }

    /// <summary>A new table with hash key id (N) and range key sk (S).</summary>
    public static async Task<TableKeySchema> NewCompositeTableAsync(IAmazonDynamoDB client)
    {
        var name = TestServers.Unique("c");
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = [new KeySchemaElement("id", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE)],
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.N), new AttributeDefinition("sk", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        return await new TableCatalog(client, TestOptions(createTable: false)).GetSchemaAsync(name, default);
    }

    public static async Task<List<Dictionary<string, AttributeValue>>> ScanAsync(IAmazonDynamoDB client, string table)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start, ConsistentRead = true });
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);
        return items;
    }

    public static async Task<Dictionary<string, AttributeValue>?> GetAsync(IAmazonDynamoDB client, string table, string pk)
    {
        var response = await client.GetItemAsync(new GetItemRequest
        {
            TableName = table,
            Key = new() { ["pk"] = new AttributeValue { S = pk } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    public static IItemWriter CreateWriter(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics) =>
        ItemWriterFactory.Create(client, schema, options, metrics);

    public static List<WriteItem> Map(ItemMapper mapper, TableKeySchema schema, IEnumerable<StreamEntry> entries) =>
        entries.Select(e =>
        {
            var r = mapper.Map(e, schema);
            Assert.True(r.IsSuccess, $"{r.ErrorKind}: {r.Error}");
            return r.Item;
        }).ToList();
}
