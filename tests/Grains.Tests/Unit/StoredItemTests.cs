using Amazon.DynamoDBv2.Model;

namespace DynamoWriter.Grains.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class StoredItemTests
{
    private static Dictionary<string, AttributeValue> Item(params (string Name, AttributeValue Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);

    private static AttributeValue S(string s) => new() { S = s };

    private static AttributeValue N(string n) => new() { N = n };

    [Fact]
    public void Numbers_compare_by_value_as_DynamoDB_stores_them()
    {
        Assert.True(StoredItem.Matches(Item(("pk", S("a")), ("n", N("1.5"))), Item(("pk", S("a")), ("n", N("1.50")))));
        Assert.False(StoredItem.Matches(Item(("pk", S("a")), ("n", N("1.5"))), Item(("pk", S("a")), ("n", N("1.05")))));
    }

    [Fact]
    public void A_missing_extra_or_retyped_attribute_is_another_item()
    {
        var sent = Item(("pk", S("a")), ("v", S("1")));

        Assert.False(StoredItem.Matches(null, sent));
        Assert.False(StoredItem.Matches(Item(("pk", S("a"))), sent));
        Assert.False(StoredItem.Matches(Item(("pk", S("a")), ("v", S("1")), ("w", S("x"))), sent));
        Assert.False(StoredItem.Matches(Item(("pk", S("a")), ("v", N("1"))), sent));
        Assert.True(StoredItem.Matches(Item(("v", S("1")), ("pk", S("a"))), sent));
    }

    [Fact]
    public void Maps_lists_booleans_nulls_and_binaries_compare_deeply()
    {
        AttributeValue Nested(string leaf) => new()
        {
            M = new() { ["l"] = new() { L = [new() { BOOL = true }, new() { NULL = true }, S(leaf)] } },
        };
        AttributeValue Bytes(byte b) => new() { B = new MemoryStream([1, b]) };

        Assert.True(StoredItem.Matches(Item(("m", Nested("x")), ("b", Bytes(2))), Item(("m", Nested("x")), ("b", Bytes(2)))));
        Assert.False(StoredItem.Matches(Item(("m", Nested("x"))), Item(("m", Nested("y")))));
        Assert.False(StoredItem.Matches(Item(("b", Bytes(2))), Item(("b", Bytes(3)))));
    }

    [Fact]
    public void Sets_compare_in_any_order()
    {
        Assert.True(StoredItem.Matches(Item(("s", new AttributeValue { SS = ["a", "b"] })), Item(("s", new AttributeValue { SS = ["b", "a"] }))));
        Assert.True(StoredItem.Matches(Item(("s", new AttributeValue { NS = ["2", "1.0"] })), Item(("s", new AttributeValue { NS = ["1", "2"] }))));
        Assert.False(StoredItem.Matches(Item(("s", new AttributeValue { SS = ["a"] })), Item(("s", new AttributeValue { SS = ["a", "b"] }))));
    }
}
