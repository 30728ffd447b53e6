using Amazon.DynamoDBv2;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>Creates the writer for a table under <see cref="DynamoDbOptions.WritePolicy"/>.</summary>
public static class ItemWriterFactory
{
    public static IItemWriter Create(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics) =>
        Create(client, schema, options, metrics, backoff: null);

    internal static IItemWriter Create(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff, RequestGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.WritePolicy switch
        {
            WritePolicy.Overwrite => new OverwriteWriter(client, schema, options, metrics, backoff, gate),
            WritePolicy.SkipExisting or WritePolicy.NewerWins => new ConditionalWriter(client, schema, options, metrics, backoff, gate),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.WritePolicy, "unknown write policy"),
        };
    }
}
