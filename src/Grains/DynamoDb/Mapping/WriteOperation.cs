namespace DynamoWriter.Grains.DynamoDb;

/// <summary>What an entry asks for: its item stored, or the item with its key removed (a tombstone).</summary>
public enum WriteOperation
{
    Put,
    Delete,
}
