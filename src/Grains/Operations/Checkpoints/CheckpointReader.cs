using System.Text.Json;
using Amazon.DynamoDBv2;
using DynamoWriter.Checkpoints;
using DynamoWriter.Grains.Storage;

namespace DynamoWriter.Grains.Operations.Checkpoints;

/// <summary>
/// Reads the durable checkpoint of a (group, stream) straight from the checkpoint table (consistent GetItem),
/// without a silo: <c>status</c>, trimming and group re-creation need it.
/// </summary>
public sealed class CheckpointReader(IAmazonDynamoDB dynamo, string tableName)
{
    public string TableName => tableName;

    /// <summary>The checkpoint, or null when the table or the item does not exist (nothing written yet).</summary>
    public async Task<StreamCheckpoint?> GetAsync(string group, string stream, CancellationToken cancellationToken)
    {
        try
        {
            var (state, _) = await DynamoDbGrainStorage.ReadItemAsync<StreamCheckpoint>(dynamo, tableName, CheckpointKeys.For(group, stream), cancellationToken).ConfigureAwait(false);
            return state;
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
