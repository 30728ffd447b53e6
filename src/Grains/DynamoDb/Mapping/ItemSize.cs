using System.Text;
using Amazon.DynamoDBv2.Model;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>Item size as DynamoDB counts it against the 400 KB limit.</summary>
internal static class ItemSize
{
    /// <summary>DynamoDB's maximum item size, 400 KB, names and values included.</summary>
    public const int MaxItemBytes = 400 * 1024;

    // Lists and maps: 3 bytes of overhead plus 1 byte per element.
    private const int ContainerOverhead = 3;
    private const int ElementOverhead = 1;

    /// <summary>
    /// A quick bound from character counts (a UTF-16 code unit is at most 3 bytes of UTF-8): when it is within
    /// the limit, so is the item, and the exact count can wait until someone asks. Null for types it does not bound.
    /// </summary>
    public static long? UpperBound(Dictionary<string, AttributeValue> item)
    {
        long bound = 0;
        foreach (var (name, value) in item)
        {
            long? valueBound = value.S is { } s ? 3L * s.Length
                : value.N is { } n ? n.Length
                : value.B is { } b ? b.Length
                : null;
            if (valueBound is null)
            {
                return null;
            }

            bound += (3L * name.Length) + valueBound.Value;
        }

        return bound;
    }

    public static long Estimate(Dictionary<string, AttributeValue> item)
    {
        long size = 0;
        foreach (var (name, value) in item)
        {
            size += Encoding.UTF8.GetByteCount(name) + Of(value);
        }

        return size;
    }

    public static long Of(AttributeValue value)
    {
        if (value.S is { } s)
        {
            return Encoding.UTF8.GetByteCount(s);
        }

        if (value.N is { } n)
        {
            return NumberSize(n);
        }

        if (value.B is { } b)
        {
            return b.Length;
        }

        if (value.BOOL is not null || value.NULL is not null)
        {
            return 1;
        }

        if (value.L is { } list)
        {
            long size = ContainerOverhead;
            foreach (var element in list)
            {
                size += ElementOverhead + Of(element);
            }

            return size;
        }

        if (value.M is { } map)
        {
            long size = ContainerOverhead;
            foreach (var (name, element) in map)
            {
                size += ElementOverhead + Encoding.UTF8.GetByteCount(name) + Of(element);
            }

            return size;
        }

        long setSize = 0;
        foreach (var e in value.SS ?? [])
        {
            setSize += Encoding.UTF8.GetByteCount(e);
        }

        foreach (var e in value.NS ?? [])
        {
            setSize += NumberSize(e);
        }

        foreach (var e in value.BS ?? [])
        {
            setSize += e.Length;
        }

        return setSize;
    }

    /// <summary>1 byte per two significant digits, plus 1.</summary>
    private static int NumberSize(string n) => ((DynamoNumber.CountSignificantDigits(n) + 1) / 2) + 1;
}
