using Amazon.DynamoDBv2.Model;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// Whether a stored item is the one we sent, attribute by attribute as DynamoDB keeps them: numbers by
/// value (DynamoDB stores "1.50" as "1.5"), sets in any order, maps and lists deeply.
/// </summary>
internal static class StoredItem
{
    public static bool Matches(Dictionary<string, AttributeValue>? stored, Dictionary<string, AttributeValue> sent)
    {
        if (stored is null || stored.Count != sent.Count)
        {
            return false;
        }

        foreach (var (name, value) in sent)
        {
            if (!stored.TryGetValue(name, out var other) || !Same(other, value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Same(AttributeValue a, AttributeValue b)
    {
        if (a.S is not null || b.S is not null)
        {
            return string.Equals(a.S, b.S, StringComparison.Ordinal);
        }

        if (a.N is not null || b.N is not null)
        {
            return a.N is not null && b.N is not null && SameNumber(a.N, b.N);
        }

        if (a.B is not null || b.B is not null)
        {
            return a.B is not null && b.B is not null && a.B.ToArray().AsSpan().SequenceEqual(b.B.ToArray());
        }

        if (a.BOOL is not null || b.BOOL is not null)
        {
            return a.BOOL == b.BOOL;
        }

        if (a.NULL is not null || b.NULL is not null)
        {
            return a.NULL == b.NULL;
        }

        if (a.M is not null || b.M is not null)
        {
            return a.M is not null && b.M is not null && Matches(a.M, b.M);
        }

        if (a.L is not null || b.L is not null)
        {
            return a.L is not null && b.L is not null && a.L.Count == b.L.Count && a.L.Zip(b.L).All(p => Same(p.First, p.Second));
        }

        if (a.SS is not null || b.SS is not null)
        {
            return a.SS is not null && b.SS is not null && a.SS.ToHashSet(StringComparer.Ordinal).SetEquals(b.SS);
        }

        if (a.NS is not null || b.NS is not null)
        {
            return a.NS is not null && b.NS is not null && a.NS.Count == b.NS.Count && a.NS.All(n => b.NS.Any(m => SameNumber(n, m)));
        }

        if (a.BS is not null || b.BS is not null)
        {
            return a.BS is not null && b.BS is not null && a.BS.Count == b.BS.Count
                && a.BS.All(x => b.BS.Any(y => x.ToArray().AsSpan().SequenceEqual(y.ToArray())));
        }

        return true; // both empty: nothing tells them apart
    }

    private static bool SameNumber(string a, string b) =>
        string.Equals(a, b, StringComparison.Ordinal) || (DynamoNumber.TryCompare(a, b, out var c) && c == 0);
}
