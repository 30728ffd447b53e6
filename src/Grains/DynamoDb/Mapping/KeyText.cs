using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>Canonical text of key values, equal exactly when DynamoDB sees the same key.</summary>
internal static class KeyText
{
    public static string Combine(string hash, string? range) =>
        range is null ? hash : string.Create(CultureInfo.InvariantCulture, $"{hash.Length}:{hash}{range}");

    /// <summary>The key text of an item as DynamoDB holds it (e.g. echoed back in UnprocessedItems); null when a key attribute is missing.</summary>
    public static string? Of(Dictionary<string, AttributeValue> item, TableKeySchema schema)
    {
        var hash = ValueText(item, schema.Hash.Name);
        if (hash is null)
        {
            return null;
        }

        if (schema.Range is null)
        {
            return hash;
        }

        var range = ValueText(item, schema.Range.Name);
        return range is null ? null : Combine(hash, range);
    }

    private static string? ValueText(Dictionary<string, AttributeValue> item, string name)
    {
        if (!item.TryGetValue(name, out var value))
        {
            return null;
        }

        if (value.S is { } s)
        {
            return s;
        }

        if (value.N is { } n)
        {
            return DynamoNumber.TryNormalize(n, n, out var normalized, out _) ? normalized : n;
        }

        if (value.B is { } b)
        {
            return Convert.ToBase64String(b.ToArray());
        }

        return null;
    }
}
