using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// skip-existing and newer-wins: one conditional PutItem per item, up to MaxInFlight at once. Deletes:
/// skip-existing deletes as asked, newer-wins only an item whose version is older than the entry's.
/// A failed condition means the stored item stays: Skipped.
/// </summary>
internal sealed class ConditionalWriter : ItemWriterBase
{
    private const string HashName = "#pk";
    private const string VersionName = "#v";
    private const string VersionValue = ":v";

    private readonly bool _newerWins;
    private readonly string _versionAttribute;
    private const string NumberType = ":n";

    private readonly string _condition;
    private readonly Dictionary<string, string> _names;
    private readonly string? _deleteCondition;
    private readonly Dictionary<string, string>? _deleteNames;
    private readonly bool _numericVersions;

    public ConditionalWriter(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff = null)
        : base(client, schema, options, metrics, backoff)
    {
        _newerWins = options.WritePolicy == WritePolicy.NewerWins;
        _versionAttribute = options.EffectiveVersionAttribute;
        if (_newerWins)
        {
            // A stored item without the version attribute (written by another writer) counts as older. With a
            // versionField the versions are numbers; one stored as text (a producer that writes every field as
            // a string) would never compare as smaller, so it counts as older too.
            // A delete's condition is the same test of the stored version; a missing item passes it (a no-op).
            _numericVersions = !string.IsNullOrEmpty(options.VersionField);
            _deleteCondition = _numericVersions
                ? $"attribute_not_exists({VersionName}) OR NOT attribute_type({VersionName}, {NumberType}) OR {VersionName} < {VersionValue}"
                : $"attribute_not_exists({VersionName}) OR {VersionName} < {VersionValue}";
            _condition = $"attribute_not_exists({HashName}) OR {_deleteCondition}";
            _names = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name, [VersionName] = _versionAttribute };
            _deleteNames = new(StringComparer.Ordinal) { [VersionName] = _versionAttribute };
        }
        else
        {
            _condition = $"attribute_not_exists({HashName})";
            _names = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name };
        }
    }

    /// <summary>
    /// skip-existing: the last delete, so that the puts after it follow in the next round (the first of them
    /// is then written); without deletes the first entry. newer-wins: the highest version (the last of equals),
    /// puts and deletes alike.
    /// </summary>
    protected override int Choose(IReadOnlyList<WriteItem> items, List<int> sameKey)
    {
        if (!_newerWins)
        {
            var lastDelete = sameKey.FindLastIndex(i => items[i].Operation == WriteOperation.Delete);
            return sameKey[Math.Max(0, lastDelete)];
        }

        var best = sameKey[0];
        for (var k = 1; k < sameKey.Count; k++)
        {
            if (CompareVersions(items[sameKey[k]], items[best]) >= 0)
            {
                best = sameKey[k];
            }
        }

        return best;
    }

    /// <summary>
    /// Failed: the others wait with it. Otherwise the chosen one is at least as new (or was first): the others
    /// are skipped; with skip-existing the deletes before it count as deleted and the entries after a
    /// chosen delete still have their turn.
    /// </summary>
    protected override WriteOutcome? OutcomeOfOther(WriteOutcome chosen, int chosenIndex, WriteItem other, int otherIndex)
    {
        if (chosen.Status == WriteStatus.Failed)
        {
            return chosen;
        }

        if (_newerWins)
        {
            return WriteOutcome.Skipped;
        }

        if (otherIndex > chosenIndex)
        {
            return chosen.Status == WriteStatus.Deleted ? null : WriteOutcome.Skipped;
        }

        return other.Operation == WriteOperation.Delete ? WriteOutcome.Deleted : WriteOutcome.Skipped;
    }

    protected override Task WriteDistinctAsync(IReadOnlyList<WriteItem> items, List<int> indices, WriteOutcome[] outcomes, CancellationToken ct) =>
        ForEachBoundedAsync(
            indices.Count,
            async (c, token) =>
            {
                var i = indices[c];
                outcomes[i] = await WriteOneAsync(items[i], token);
            },
            ct);

    private Task<WriteOutcome> WriteOneAsync(WriteItem item, CancellationToken ct)
    {
        AttributeValue? version = null;
        if (_newerWins && !item.Attributes.TryGetValue(_versionAttribute, out version))
        {
            return Task.FromResult(WriteOutcome.Rejected(
                EntryErrorKind.InvalidVersion,
                $"item has no version attribute '{_versionAttribute}' (map it with the newer-wins policy)"));
        }

        var values = version is null ? null : VersionValues(version);
        if (item.Operation == WriteOperation.Delete)
        {
            return DeleteAsync(
                new DeleteItemRequest
                {
                    TableName = Schema.TableName,
                    Key = Schema.KeyOf(item.Attributes),
                    ConditionExpression = _deleteCondition,
                    ExpressionAttributeNames = _deleteNames,
                    ExpressionAttributeValues = values,
                },
                ct);
        }

        return PutAsync(
            new PutItemRequest
            {
                TableName = Schema.TableName,
                Item = item.Attributes,
                ConditionExpression = _condition,
                ExpressionAttributeNames = _names,
                ExpressionAttributeValues = values,
            },
            ct);
    }

    private Dictionary<string, AttributeValue> VersionValues(AttributeValue version) =>
        _numericVersions
            ? new Dictionary<string, AttributeValue>(2) { [VersionValue] = version, [NumberType] = new AttributeValue { S = "N" } }
            : new Dictionary<string, AttributeValue>(1) { [VersionValue] = version };

    /// <summary>Compares version attributes: numbers by value, strings ordinally; a missing version is oldest.</summary>
    private int CompareVersions(WriteItem a, WriteItem b)
    {
        a.Attributes.TryGetValue(_versionAttribute, out var va);
        b.Attributes.TryGetValue(_versionAttribute, out var vb);
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
