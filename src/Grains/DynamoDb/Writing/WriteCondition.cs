using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// The conditions of skip-existing (put: no stored item; delete: none, it deletes as asked) and newer-wins
/// (put and delete: no stored item or an older one); shared by the conditional single-item writes and the
/// actions of an exactly-once transaction.
/// </summary>
internal sealed class WriteCondition
{
    private const string HashName = "#pk";
    private const string VersionName = "#v";
    private const string VersionValue = ":v";
    private const string NumberType = ":n";

    private readonly bool _numericVersions;

    private WriteCondition(TableKeySchema schema, DynamoDbOptions options)
    {
        NewerWins = options.WritePolicy == WritePolicy.NewerWins;
        VersionAttribute = options.EffectiveVersionAttribute;
        if (NewerWins)
        {
            // A stored item without the version attribute (written by another writer) counts as older. With a
            // versionField the versions are numbers; one stored as text (a producer that writes every field as
            // a string) would never compare as smaller, so it counts as older too.
            // A delete's condition is the same test of the stored version; a missing item passes it (a no-op).
            _numericVersions = !string.IsNullOrEmpty(options.VersionField);
            DeleteExpression = _numericVersions
                ? $"attribute_not_exists({VersionName}) OR NOT attribute_type({VersionName}, {NumberType}) OR {VersionName} < {VersionValue}"
                : $"attribute_not_exists({VersionName}) OR {VersionName} < {VersionValue}";
            PutExpression = $"attribute_not_exists({HashName}) OR {DeleteExpression}";
            PutNames = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name, [VersionName] = VersionAttribute };
            DeleteNames = new(StringComparer.Ordinal) { [VersionName] = VersionAttribute };
        }
        else
        {
            PutExpression = $"attribute_not_exists({HashName})";
            PutNames = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name };
        }
    }

    public bool NewerWins { get; }

    public string VersionAttribute { get; }

    public string PutExpression { get; }

    public Dictionary<string, string> PutNames { get; }

    /// <summary>newer-wins only: skip-existing deletes unconditionally.</summary>
    public string? DeleteExpression { get; }

    public Dictionary<string, string>? DeleteNames { get; }

    /// <summary>The conditions of the policy; null for overwrite, which writes unconditionally.</summary>
    public static WriteCondition? For(TableKeySchema schema, DynamoDbOptions options) =>
        options.WritePolicy is WritePolicy.SkipExisting or WritePolicy.NewerWins ? new WriteCondition(schema, options) : null;

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
