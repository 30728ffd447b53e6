using DynamoWriter.Grains.Storage;

namespace DynamoWriter.Grains.Operations.Checkpoints;

/// <summary>
/// Where the writer grain's state (<see cref="DynamoWriter.Checkpoints.StreamCheckpoint"/>) lives in
/// <c>sc.checkpoint.tableName</c>: hash key <see cref="KeyAttribute"/> = <see cref="For"/>, the state as JSON in
/// <see cref="StateAttribute"/>. The grain storage writes it; this names the item of a (group, stream) for every reader.
/// </summary>
public static class CheckpointKeys
{
    /// <summary>The hash key attribute (S).</summary>
    public const string KeyAttribute = DynamoDbGrainStorage.KeyAttribute;

    /// <summary>The attribute holding the state as JSON (S), serialized with <see cref="System.Text.Json.JsonSerializerDefaults.Web"/>.</summary>
    public const string StateAttribute = DynamoDbGrainStorage.StateAttribute;

    /// <summary>The <see cref="KeyAttribute"/> value of (group, stream).</summary>
    public static string For(string group, string stream)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(stream);
        return $"{group}|{stream}";
    }
}
