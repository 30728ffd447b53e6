using Amazon.DynamoDBv2;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.Tests.Unit;

internal static class TestData
{
    public static readonly TableKeySchema StringKey = new("t", new KeyAttribute("pk", ScalarAttributeType.S), null);
    public static readonly TableKeySchema NumberKey = new("t", new KeyAttribute("id", ScalarAttributeType.N), null);
    public static readonly TableKeySchema BinaryKey = new("t", new KeyAttribute("bin", ScalarAttributeType.B), null);
    public static readonly TableKeySchema Composite = new("t", new KeyAttribute("id", ScalarAttributeType.N), new KeyAttribute("sk", ScalarAttributeType.S));

    public static StreamEntry Entry(string id, params (string Name, string Value)[] fields) =>
        new("s", id, fields.Select(f => new StreamField(f.Name, f.Value)).ToArray());

    public static StreamEntry Json(string json, string id = "1-0") => Entry(id, ("payload", json));

    public static ItemMapper Fields(WritePolicy policy = WritePolicy.Overwrite, string versionField = "") =>
        new(new MappingOptions { Format = MappingFormat.Fields }, new DynamoDbOptions { WritePolicy = policy, VersionField = versionField });

    public static ItemMapper JsonMapper(WritePolicy policy = WritePolicy.Overwrite, string versionField = "") =>
        new(new MappingOptions { Format = MappingFormat.Json }, new DynamoDbOptions { WritePolicy = policy, VersionField = versionField });
}
