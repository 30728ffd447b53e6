using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Options;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Deletes;

/// <summary>Puts and deletes in either mapping format, and the table they land in (hash key <c>pk</c>, S).</summary>
internal static class DeleteKit
{
    public const string Op = MappingOptions.DefaultOperationField;

    public static StreamField[] Put(MappingFormat format, string pk, string v) =>
        format == MappingFormat.Json
            ? [new("payload", $$"""{"pk":"{{pk}}","v":"{{v}}"}""")]
            : [new("pk", pk), new("v", v)];

    /// <summary>A tombstone: the key as for a put (and whatever else the producer sends), plus the operation field.</summary>
    public static StreamField[] Delete(MappingFormat format, string pk) => [new(Op, MappingOptions.DeleteOperation), .. Put(format, pk, "gone")];

    public static Task CreateTableAsync(IAmazonDynamoDB dynamo, string table) =>
        EngineKit.CreateTableAsync(dynamo, table, "pk", ScalarAttributeType.S);

    public static Task PutItemAsync(IAmazonDynamoDB dynamo, string table, Dictionary<string, AttributeValue> item) =>
        dynamo.PutItemAsync(new PutItemRequest { TableName = table, Item = item });

    public static async Task<Dictionary<string, Dictionary<string, AttributeValue>>> ItemsAsync(IAmazonDynamoDB dynamo, string table) =>
        (await TestTables.ScanAllAsync(dynamo, table)).ToDictionary(i => i["pk"].S);
}
