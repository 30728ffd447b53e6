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
    private readonly PutCondition _condition;

    public ConditionalWriter(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff = null)
        : base(client, schema, options, metrics, backoff)
    {
        _condition = PutCondition.For(schema, options)
            ?? throw new ArgumentException($"{options.WritePolicy} puts unconditionally", nameof(options));
    }

    /// <summary>skip-existing: the first entry. newer-wins: the highest version (the last of equals).</summary>
    protected override int Choose(IReadOnlyList<WriteItem> items, List<int> sameKey)
    {
        if (!_condition.NewerWins)
        {
            return sameKey[0];
        }

        var best = sameKey[0];
        for (var k = 1; k < sameKey.Count; k++)
        {
            if (_condition.CompareVersions(items[sameKey[k]], items[best]) >= 0)
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
        if (!_condition.TryGetValues(item, out var values, out var rejected))
        {
            return Task.FromResult(rejected);
        }

        var request = new PutItemRequest
        {
            TableName = Schema.TableName,
            Item = item.Attributes,
            ConditionExpression = _condition.Expression,
            ExpressionAttributeNames = _condition.Names,
            ExpressionAttributeValues = values,
        };
        return PutAsync(request, ct);
    }
}
