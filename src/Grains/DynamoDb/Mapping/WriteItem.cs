using System.Diagnostics.CodeAnalysis;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>A stream entry mapped to the DynamoDB item it becomes, or to the key it deletes.</summary>
public sealed class WriteItem
{
    public WriteItem()
    {
    }

    private int? _sizeBytes;

    /// <summary>An item whose size is counted when first asked for.</summary>
    [SetsRequiredMembers]
    public WriteItem(StreamEntry entry, Dictionary<string, AttributeValue> attributes, string keyText)
    {
        Entry = entry;
        Attributes = attributes;
        KeyText = keyText;
    }

    [SetsRequiredMembers]
    public WriteItem(StreamEntry entry, Dictionary<string, AttributeValue> attributes, string keyText, int sizeBytes)
        : this(entry, attributes, keyText)
    {
        SizeBytes = sizeBytes;
    }

    /// <summary>The entry it was mapped from.</summary>
    public required StreamEntry Entry { get; init; }

    /// <summary>
    /// The item, key attributes converted to the table's key types. For a delete only the key (and, with
    /// newer-wins, the version attribute the stored item must be older than).
    /// </summary>
    public required Dictionary<string, AttributeValue> Attributes { get; init; }

    public WriteOperation Operation { get; init; } = WriteOperation.Put;

    /// <summary>
    /// Canonical text of the key attribute values: equal for two items exactly when DynamoDB sees the same key
    /// (numbers normalised, binary re-encoded). Used to de-duplicate within a batch.
    /// </summary>
    public required string KeyText { get; init; }

    /// <summary>Item size as DynamoDB counts it (attribute names plus values), in bytes.</summary>
    public int SizeBytes
    {
        get => _sizeBytes ??= (int)ItemSize.Estimate(Attributes);
        init => _sizeBytes = value;
    }
}

/// <summary>What <see cref="ItemMapper.Map"/> made of one entry: an item, or why there is none.</summary>
public readonly record struct MapResult(WriteItem? Item, EntryErrorKind? ErrorKind, string? Error)
{
    [MemberNotNullWhen(true, nameof(Item))]
    public bool IsSuccess => Item is not null;

    public static MapResult Success(WriteItem item) => new(item, null, null);

    public static MapResult Failure(EntryErrorKind kind, string error) => new(null, kind, error);
}
