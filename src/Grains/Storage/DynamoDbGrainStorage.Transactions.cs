using Amazon.DynamoDBv2.Model;

namespace DynamoWriter.Grains.Storage;

/// <summary>A state write that commits inside the caller's TransactWriteItems, with the caller's items or not at all.</summary>
public sealed partial class DynamoDbGrainStorage
{
    /// <summary>A fresh ETag, as every write of this storage stores one.</summary>
    public static string NewETag() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// The write of <paramref name="state"/> as one action of a transaction: the item and the ETag condition of
    /// <see cref="WriteStateAsync{T}(string, GrainId, IGrainState{T})"/>, so a stale <paramref name="expectedETag"/>
    /// cancels the whole transaction and <see cref="ReadStateAsync{T}(string, GrainId, IGrainState{T})"/> reads the
    /// state back as if the storage had written it.
    /// </summary>
    public TransactWriteItem TransactionalWrite<T>(string stateName, GrainId grainId, T state, string? expectedETag, string newETag)
    {
        var key = _options.KeyFor(stateName, grainId);
        var (condition, names, values) = ConditionFor(expectedETag);
        return new TransactWriteItem
        {
            Put = new Put
            {
                TableName = _options.TableName,
                Item = StateItem(key, state, newETag),
                ConditionExpression = condition,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            },
        };
    }
}
