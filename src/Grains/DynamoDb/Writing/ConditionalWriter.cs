using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// skip-existing and newer-wins: one conditional PutItem per item, up to MaxInFlight at once.
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
            _numericVersions = !string.IsNullOrEmpty(options.VersionField);
            _condition = _numericVersions
                ? $"attribute_not_exists({HashName}) OR attribute_not_exists({VersionName}) OR NOT attribute_type({VersionName}, {NumberType}) OR {VersionName} < {VersionValue}"
                : $"attribute_not_exists({HashName}) OR attribute_not_exists({VersionName}) OR {VersionName} < {VersionValue}";
            _names = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name, [VersionName] = _versionAttribute };
        }
        else
        {
            _condition = $"attribute_not_exists({HashName})";
            _names = new(StringComparer.Ordinal) { [HashName] = schema.Hash.Name };
        }
    }

    /// <summary>skip-existing: the first entry. newer-wins: the highest version (the last of equals).</summary>
    protected override int Choose(IReadOnlyList<WriteItem> items, List<int> sameKey)
    {
        if (!_newerWins)
        {
            return sameKey[0];
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

    /// <summary>Written or skipped, the chosen one is at least as new (or was first): the others are skipped.</summary>
    protected override WriteOutcome OutcomeOfOther(WriteOutcome chosen) =>
        chosen.Status is WriteStatus.Written or WriteStatus.Skipped ? WriteOutcome.Skipped : chosen;

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
        var request = new PutItemRequest
        {
            TableName = Schema.TableName,
            Item = item.Attributes,
            ConditionExpression = _condition,
            ExpressionAttributeNames = _names,
        };

        if (_newerWins)
        {
            if (!item.Attributes.TryGetValue(_versionAttribute, out var version))
            {
                return Task.FromResult(WriteOutcome.Rejected(
                    EntryErrorKind.InvalidVersion,
                    $"item has no version attribute '{_versionAttribute}' (map it with the newer-wins policy)"));
            }

            request.ExpressionAttributeValues = _numericVersions
                ? new Dictionary<string, AttributeValue>(2) { [VersionValue] = version, [NumberType] = new AttributeValue { S = "N" } }
                : new Dictionary<string, AttributeValue>(1) { [VersionValue] = version };
        }

        return PutAsync(request, ct);
    }

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
