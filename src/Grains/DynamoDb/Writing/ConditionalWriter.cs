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
    private readonly WriteCondition _condition;

    public ConditionalWriter(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff = null, RequestGate? gate = null)
        : base(client, schema, options, metrics, backoff, gate)
    {
        _condition = WriteCondition.For(schema, options)
            ?? throw new ArgumentException($"{options.WritePolicy} writes unconditionally", nameof(options));
    }

    /// <summary>
    /// skip-existing: the last delete, so that the puts after it follow in the next round (the first of them
    /// is then written); without deletes the first entry. newer-wins: the highest version (the last of equals),
    /// puts and deletes alike.
    /// </summary>
    protected override int Choose(IReadOnlyList<WriteItem> items, List<int> sameKey)
    {
        if (!_condition.NewerWins)
        {
            var lastDelete = sameKey.FindLastIndex(i => items[i].Operation == WriteOperation.Delete);
            return sameKey[Math.Max(0, lastDelete)];
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

        if (_condition.NewerWins)
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
        if (!_condition.TryGetValues(item, out var values, out var rejected))
        {
            return Task.FromResult(rejected);
        }

        if (item.Operation == WriteOperation.Delete)
        {
            return DeleteAsync(
                new DeleteItemRequest
                {
                    TableName = Schema.TableName,
                    Key = Schema.KeyOf(item.Attributes),
                    ConditionExpression = _condition.DeleteExpression,
                    ExpressionAttributeNames = _condition.DeleteNames,
                    ExpressionAttributeValues = values,
                },
                ct);
        }

        return PutAsync(
            new PutItemRequest
            {
                TableName = Schema.TableName,
                Item = item.Attributes,
                ConditionExpression = _condition.PutExpression,
                ExpressionAttributeNames = _condition.PutNames,
                ExpressionAttributeValues = values,
            },
            ct);
    }
}
