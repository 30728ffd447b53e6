namespace DynamoWriter;

/// <summary>One field of a stream entry, in the order the producer wrote it.</summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.StreamField")]
public readonly record struct StreamField([property: Id(0)] string Name, [property: Id(1)] string Value);

/// <summary>An entry read from a Redis stream.</summary>
/// <param name="Stream">The stream key it was read from.</param>
/// <param name="Id">The entry ID as Redis returned it.</param>
/// <param name="Fields">The field/value pairs, in order; names may repeat (Redis allows it).</param>
/// <param name="DeliveryCount">How many times the group delivered it, when known (1 for a first read).</param>
/// <param name="Claimed">
/// Taken over from another consumer's pending list (XAUTOCLAIM) rather than read by its queue's own consumer:
/// exactly-once writes such an entry even below the checkpoint, since it may predate what that consumer's queue committed.
/// </param>
[GenerateSerializer, Immutable, Alias("DynamoWriter.StreamEntry")]
public sealed record StreamEntry(
    [property: Id(0)] string Stream,
    [property: Id(1)] string Id,
    [property: Id(2)] IReadOnlyList<StreamField> Fields,
    [property: Id(3)] long DeliveryCount = 1,
    [property: Id(4)] bool Claimed = false)
{
    /// <summary>The value of the last field with this name, or null. Later fields win, as in a hash.</summary>
    public string? GetField(string name)
    {
        string? value = null;
        foreach (var f in Fields)
        {
            if (string.Equals(f.Name, name, StringComparison.Ordinal))
            {
                value = f.Value;
            }
        }

        return value;
    }
}
