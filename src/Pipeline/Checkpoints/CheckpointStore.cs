using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Options;

namespace DynamoWriter.Pipeline.Checkpoints;

/// <summary>A durable checkpoint: every entry of the stream up to and including <see cref="Id"/> is persisted.</summary>
public sealed record Checkpoint(string Group, string Stream, StreamEntryId Id, long Written, long Skipped, long DeadLettered, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>
/// Checkpoints in a DynamoDB table (hash key <c>pk</c> = group + stream). Updates are conditional on the
/// new ID being greater, so nodes racing each other, or a stale node, can never move one backwards.
/// </summary>
public sealed class CheckpointStore(IAmazonDynamoDB client, string tableName)
{
    internal const string KeyAttribute = "pk";
    private const string SortableAttribute = "checkpointSort";

    public string TableName => tableName;

    public static string KeyFor(string group, string stream) => $"{group}|{stream}";

    public async Task<Checkpoint?> GetAsync(string group, string stream, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(new GetItemRequest
        {
            TableName = tableName,
            Key = new() { [KeyAttribute] = new AttributeValue { S = KeyFor(group, stream) } },
            ConsistentRead = true,
        }, cancellationToken).ConfigureAwait(false);
        var item = response.Item;
        if (item is null || item.Count == 0 || !item.TryGetValue("checkpoint", out var id) || !StreamEntryId.TryParse(id.S, out var parsed))
        {
            return null;
        }

        return new Checkpoint(group, stream, parsed, Number(item, "written"), Number(item, "skipped"), Number(item, "deadLettered"),
            item.TryGetValue("updatedAt", out var at) && DateTimeOffset.TryParse(at.S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : default,
            item.TryGetValue("updatedBy", out var by) ? by.S ?? "" : "");
    }

    /// <summary>
    /// Moves the checkpoint forward to <paramref name="id"/> and adds this node's counts since its last
    /// update. Returns false when the stored checkpoint is already at or beyond <paramref name="id"/>
    /// (the counts are still added).
    /// </summary>
    public async Task<bool> AdvanceAsync(string group, string stream, StreamEntryId id, string consumer, long written, long skipped, long deadLettered, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = new Dictionary<string, AttributeValue> { [KeyAttribute] = new() { S = KeyFor(group, stream) } };
        var counts = new Dictionary<string, AttributeValue>
        {
            [":w"] = new() { N = written.ToString(CultureInfo.InvariantCulture) },
            [":s"] = new() { N = skipped.ToString(CultureInfo.InvariantCulture) },
            [":d"] = new() { N = deadLettered.ToString(CultureInfo.InvariantCulture) },
        };
        try
        {
            var values = new Dictionary<string, AttributeValue>(counts)
            {
                [":cp"] = new() { S = id.ToString() },
                [":sort"] = new() { S = id.ToSortableString() },
                [":at"] = new() { S = now.ToString("O", CultureInfo.InvariantCulture) },
                [":by"] = new() { S = consumer },
                [":g"] = new() { S = group },
                [":st"] = new() { S = stream },
            };
            await client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = key,
                UpdateExpression = "SET #cp = :cp, #sort = :sort, updatedAt = :at, updatedBy = :by, #g = :g, #st = :st ADD written :w, skipped :s, deadLettered :d",
                ConditionExpression = "attribute_not_exists(#sort) OR #sort < :sort",
                ExpressionAttributeNames = new() { ["#cp"] = "checkpoint", ["#sort"] = SortableAttribute, ["#g"] = "group", ["#st"] = "stream" },
                ExpressionAttributeValues = values,
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            if (written + skipped + deadLettered > 0)
            {
                await client.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = tableName,
                    Key = key,
                    UpdateExpression = "ADD written :w, skipped :s, deadLettered :d",
                    ExpressionAttributeValues = counts,
                }, cancellationToken).ConfigureAwait(false);
            }

            return false;
        }
    }

    private static long Number(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static string TableNameFrom(DynamoWriterOptions options) => options.Checkpoint.TableName;
}
