using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Checkpoints;

namespace DynamoWriter.Grains.Operations.Checkpoints;

/// <summary>
/// Reads the durable checkpoint of a (group, stream) straight from the checkpoint table (consistent GetItem),
/// without the grain storage: <c>status</c> and trimming need it with no silo running.
/// </summary>
public sealed class CheckpointReader(IAmazonDynamoDB dynamo, string tableName)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string TableName => tableName;

    /// <summary>The checkpoint, or null when the table or the item does not exist (nothing written yet).</summary>
    public async Task<StreamCheckpoint?> GetAsync(string group, string stream, CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? item;
        try
        {
            var response = await dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = tableName,
                Key = new() { [CheckpointKeys.KeyAttribute] = new AttributeValue { S = CheckpointKeys.For(group, stream) } },
                ConsistentRead = true,
            }, cancellationToken).ConfigureAwait(false);
            item = response.Item;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }

        if (item is null || !item.TryGetValue(CheckpointKeys.StateAttribute, out var state) || string.IsNullOrEmpty(state.S))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<StreamCheckpoint>(state.S, Json);
        }
        catch (JsonException)
        {
            return null; // not a state we can read: as good as none (status shows none, trimming holds back)
        }
    }

    /// <summary>The checkpoint's position, or null when there is no checkpoint or it has no position yet.</summary>
    public async Task<StreamEntryId?> GetPositionAsync(string group, string stream, CancellationToken cancellationToken) =>
        await GetAsync(group, stream, cancellationToken).ConfigureAwait(false) is { } checkpoint && StreamEntryId.TryParse(checkpoint.Position, out var id)
            ? id
            : null;
}
