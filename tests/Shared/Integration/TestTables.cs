using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace DynamoWriter.Tests;

/// <summary>Direct DynamoDB access for assertions: what is really in the DynamoDB server.</summary>
internal static class TestTables
{
    public static AmazonDynamoDBClient Client(string? endpoint = null) =>
        new(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = endpoint ?? TestServers.DynamoEndpoint, AuthenticationRegion = "us-east-1" });

    public static async Task<List<Dictionary<string, AttributeValue>>> ScanAllAsync(IAmazonDynamoDB client, string table)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start });
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);
        return items;
    }

    public static async Task<int> CountAsync(IAmazonDynamoDB client, string table)
    {
        var total = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest { TableName = table, Select = Select.COUNT, ExclusiveStartKey = start });
            total += page.Count ?? 0;
            start = page.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);
        return total;
    }
}
