using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// The condition a put carries under skip-existing (no stored item) or newer-wins (no stored item, or an older
/// one); shared by the conditional PutItem and the puts of an exactly-once transaction.
/// </summary>
internal sealed class PutCondition
{
    private const string HashName = "#pk";
    private const string VersionName = "#v";
    private const string VersionValue = ":v";
    private const string NumberType = ":n";

    private readonly bool _numericVersions;

    private PutCondition(TableKeySchema schema, DynamoDbOptions options)
    {
        NewerWins = options.WritePolicy == WritePolicy.NewerWins;
        VersionAttribute = options.EffectiveVersionAttribute;
        if (NewerWins)
        {
            // A stored item without the version attribute (written by another writer) counts as older. With a
            // versionField the versions are numbers; one stored as text (a producer that writes every field as
            // a string) would never compare as smaller, so it counts as older too.
            _numericVersions = !string.IsNullOrEmpty(options.VersionField);
            Expression = _numericVersions
                ? $"attribute_not_exists({HashName}) OR attribute_not_exists({VersionName}) OR NOT attribute_type({VersionName}, {NumberType}) OR {VersionName} < {VersionValue}"
                : $"attribute_not_exists({HashName}) OR attribute_not_exists({VersionName}) OR {VersionName} < {VersionValue}";
            Names = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name, [VersionName] = VersionAttribute };
        }
        else
        {
            Expression = $"attribute_not_exists({HashName})";
            Names = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name };
        }
    }

    public bool NewerWins { get; }

    public string VersionAttribute { get; }

    public string Expression { get; }

    public Dictionary<string, string> Names { get; }

    /// <summary>The condition of the policy; null for overwrite, which puts unconditionally.</summary>
    public static PutCondition? For(TableKeySchema schema, DynamoDbOptions options) =>
        options.WritePolicy is WritePolicy.SkipExisting or WritePolicy.NewerWins ? new PutCondition(schema, options) : null;

    /// <summary>
    /// The expression values for <paramref name="item"/> (null when the condition has none), or false with the
    /// outcome of an item newer-wins cannot compare.
    /// </summary>
    public bool TryGetValues(WriteItem item, out Dictionary<string, AttributeValue>? values, out WriteOutcome rejected)
    {
        rejected = default;
        values = null;
        if (!NewerWins)
        {
            return true;
        }

        if (!item.Attributes.TryGetValue(VersionAttribute, out var version))
        {
            rejected = WriteOutcome.Rejected(
                EntryErrorKind.InvalidVersion,
                $"item has no version attribute '{VersionAttribute}' (map it with the newer-wins policy)");
            return false;
        }

        values = _numericVersions
            ? new Dictionary<string, AttributeValue>(2) { [VersionValue] = version, [NumberType] = new AttributeValue { S = "N" } }
            : new Dictionary<string, AttributeValue>(1) { [VersionValue] = version };
        return true;
    }

    /// <summary>Compares version attributes: numbers by value, strings ordinally; a missing version is oldest.</summary>
    public int CompareVersions(WriteItem a, WriteItem b)
    {
        a.Attributes.TryGetValue(VersionAttribute, out var va);
        b.Attributes.TryGetValue(VersionAttribute, out var vb);
        if (va is null || vb is null)
        {
            return (va is null ? 0 : 1) - (vb is null ? 0 : 1);
        }

        if (va.N is { } na && vb.N is { } nb && DynamoNumber.TryCompare(na, nb, out var c))
        {
            return c;
        }

        return string.CompareOrdinal(va.S ?? va.N, vb.S ?? vb.N);
    }
}
