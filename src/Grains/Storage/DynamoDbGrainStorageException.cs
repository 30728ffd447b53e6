namespace DynamoWriter.Grains.Storage;

/// <summary>A DynamoDB grain storage operation failed for a reason other than an ETag conflict.</summary>
[GenerateSerializer]
[Alias("DynamoWriter.Grains.Storage.DynamoDbGrainStorageException")]
public sealed class DynamoDbGrainStorageException : OrleansException
{
    public DynamoDbGrainStorageException()
    {
    }

    public DynamoDbGrainStorageException(string message)
        : base(message)
    {
    }

    public DynamoDbGrainStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
