namespace DynamoWriter;

/// <summary>What happens when an item with the same key is already in the table.</summary>
public enum WritePolicy
{
    /// <summary>Replace it (BatchWriteItem), as the Go service did.</summary>
    Overwrite,

    /// <summary>Leave it untouched and count the entry as skipped (conditional PutItem).</summary>
    SkipExisting,

    /// <summary>Replace it only when the entry's version is greater than the stored one.</summary>
    NewerWins,
}

/// <summary>How a stream entry becomes a DynamoDB item.</summary>
public enum MappingFormat
{
    /// <summary>Every entry field becomes a string attribute.</summary>
    Fields,

    /// <summary>One entry field holds a JSON object that becomes the item.</summary>
    Json,
}
