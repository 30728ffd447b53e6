using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// Reads items by key through BatchGetItem (consistent reads). Unprocessed keys and transient errors are
/// sent again with the writers' retry policy (<c>sc.dynamoDB.retryMax</c> re-sends, waits capped at
/// <c>retryWaitMax</c>, full jitter): DynamoDB may hand back keys it did not get to, even for one key.
/// </summary>
public sealed class ItemReader
{
    private readonly IAmazonDynamoDB _client;
    private readonly int _retryMax;
    private readonly Backoff _backoff;

    public ItemReader(IAmazonDynamoDB client, DynamoDbOptions options)
        : this(client, options, backoff: null)
    {
    }

    internal ItemReader(IAmazonDynamoDB client, DynamoDbOptions options, Backoff? backoff)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _retryMax = Math.Max(0, options.RetryMax);
        _backoff = backoff ?? new Backoff(options.RetryWaitMax);
    }

    /// <summary>
    /// The key of a hash-key-only table from its text, converted to the key's type as the mapper converts
    /// an entry's key; null with <paramref name="error"/> when the text does not fit (or the table has a range key).
    /// </summary>
    public static Dictionary<string, AttributeValue>? KeyFor(TableKeySchema schema, string hashKey, out string? error)
    {
        ArgumentNullException.ThrowIfNull(schema);
        error = null;
        if (schema.Range is not null)
        {
            error = $"table '{schema.TableName}' also has a range key ('{schema.Range.Name}'); only hash-key tables can be read by key";
            return null;
        }

        var key = new Dictionary<string, AttributeValue>(1, StringComparer.Ordinal) { [schema.Hash.Name] = new AttributeValue { S = hashKey } };
        if (!ItemMapper.TryConvertKey(key, schema.Hash, out _, out var failure))
        {
            error = failure.Error;
            return null;
        }

        return key;
    }

    /// <summary>The item with <paramref name="key"/>, or null when there is none.</summary>
    /// <exception cref="InvalidOperationException">DynamoDB still left the key unprocessed after every retry.</exception>
    public async Task<Dictionary<string, AttributeValue>?> GetAsync(string tableName, Dictionary<string, AttributeValue> key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        ArgumentNullException.ThrowIfNull(key);
        var request = new BatchGetItemRequest
        {
            RequestItems = new Dictionary<string, KeysAndAttributes>(1) { [tableName] = new KeysAndAttributes { Keys = [key], ConsistentRead = true } },
        };

        for (var retry = 0; ; retry++)
        {
            try
            {
                var response = await _client.BatchGetItemAsync(request, ct).ConfigureAwait(false);
                if (response.Responses is { } found && found.TryGetValue(tableName, out var items) && items.Count > 0)
                {
                    return items[0];
                }

                if (response.UnprocessedKeys is not { Count: > 0 } unprocessed)
                {
                    return null;
                }

                if (retry >= _retryMax)
                {
                    throw new InvalidOperationException($"BatchGetItem left the key unprocessed after {retry + 1} attempts (throttled)");
                }

                request.RequestItems = unprocessed;
            }
            catch (Exception e) when (DynamoErrorClassifier.IsTransient(e) && retry < _retryMax && !ct.IsCancellationRequested)
            {
                // Sent again below, like an unprocessed key.
            }

            await _backoff.WaitAsync(retry + 1, ct).ConfigureAwait(false);
        }
    }
}
