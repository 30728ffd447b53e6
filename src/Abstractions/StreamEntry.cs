namespace DynamoWriter;

/// <summary>One field of a stream entry, in the order the producer wrote it.</summary>
public readonly record struct StreamField(string Name, string Value);

/// <summary>An entry read from a Redis stream.</summary>
/// <param name="Stream">The stream key it was read from.</param>
/// <param name="Id">The entry ID as Redis returned it.</param>
/// <param name="Fields">The field/value pairs, in order; names may repeat (Redis allows it).</param>
/// <param name="DeliveryCount">How many times the group delivered it, when known (1 for a first read).</param>
public sealed record StreamEntry(string Stream, string Id, IReadOnlyList<StreamField> Fields, long DeliveryCount = 1)
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
