using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// overwrite: BatchWriteItem in chunks of at most 25, chunks in parallel. Unprocessed items are sent again
/// with backoff; a chunk DynamoDB refuses as invalid is written item by item so only the bad items are rejected.
/// Several entries with one key: the last operation (put or delete) is sent, the earlier ones count as
/// applied once it is (it supersedes them; BatchWriteItem cannot hold two requests for one key).
/// </summary>
internal sealed class OverwriteWriter : ItemWriterBase
{
    private readonly int _batchSize;

    public OverwriteWriter(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff = null, RequestGate? gate = null)
        : base(client, schema, options, metrics, backoff, gate)
    {
        _batchSize = Math.Clamp(options.BatchSize, 1, DynamoDbOptions.MaxBatchSize);
    }

    protected override int Choose(IReadOnlyList<WriteItem> items, List<int> sameKey) => sameKey[^1];

    protected override WriteOutcome? OutcomeOfOther(WriteOutcome chosen, int chosenIndex, WriteItem other, int otherIndex) =>
        chosen.Status == WriteStatus.Failed ? chosen : WriteOutcome.Applied(other);

    protected override Task WriteDistinctAsync(IReadOnlyList<WriteItem> items, List<int> indices, WriteOutcome[] outcomes, CancellationToken ct)
    {
        var chunks = (indices.Count + _batchSize - 1) / _batchSize;
        return ForEachBoundedAsync(
            chunks,
            async (c, token) =>
            {
                var start = c * _batchSize;
                var chunk = indices.GetRange(start, Math.Min(_batchSize, indices.Count - start));
                await WriteChunkAsync(items, chunk, outcomes, token);
            },
            ct);
    }

    private async Task WriteChunkAsync(IReadOnlyList<WriteItem> items, List<int> pending, WriteOutcome[] outcomes, CancellationToken ct)
    {
        for (var retry = 0; ; retry++)
        {
            var request = new BatchWriteItemRequest
            {
                RequestItems = new Dictionary<string, List<WriteRequest>>(1)
                {
                    [Schema.TableName] = pending.ConvertAll(i => Request(items[i])),
                },
            };

            Exception? error = null;
            BatchWriteItemResponse? response = null;
            var started = await BeginRequestAsync(ct);
            try
            {
                response = await Client.BatchWriteItemAsync(request, ct);
            }
            catch (Exception e)
            {
                ct.ThrowIfCancellationRequested();
                error = e;
            }
            finally
            {
                EndRequest(started, BatchWriteItemOperation, pending.Count);
            }

            if (error is null)
            {
                var unprocessed = response!.UnprocessedItems is { } u && u.TryGetValue(Schema.TableName, out var list) ? list : null;
                if (unprocessed is null || unprocessed.Count == 0)
                {
                    foreach (var i in pending)
                    {
                        outcomes[i] = WriteOutcome.Applied(items[i]);
                    }

                    return;
                }

                pending = Remaining(items, pending, unprocessed, outcomes);
                Metrics.WriteThrottles.Add(1, TableTag);
                if (retry >= RetryMax)
                {
                    Metrics.WriteFailures.Add(1, TableTag);
                    SetAll(pending, outcomes, WriteOutcome.Failed($"{pending.Count} item(s) still unprocessed by BatchWriteItem after {retry + 1} attempts (throttled)"));
                    return;
                }

                Metrics.WriteRetries.Add(1, TableTag);
            }
            else if (DynamoErrorClassifier.IsValidation(error))
            {
                await WriteOneByOneAsync(items, pending, outcomes, ct);
                return;
            }
            else if (!ShouldRetry(error, retry, out var failed))
            {
                SetAll(pending, outcomes, failed);
                return;
            }

            await Backoff.WaitAsync(retry + 1, ct);
        }
    }

    /// <summary>
    /// The pending items DynamoDB handed back; the others are applied. If the answer cannot be matched to
    /// what was sent, everything is sent again (harmless for overwrite; never loses an item).
    /// </summary>
    private List<int> Remaining(IReadOnlyList<WriteItem> items, List<int> pending, List<WriteRequest> unprocessed, WriteOutcome[] outcomes)
    {
        var keys = new HashSet<string>(unprocessed.Count, StringComparer.Ordinal);
        foreach (var request in unprocessed)
        {
            if ((request.PutRequest?.Item ?? request.DeleteRequest?.Key) is not { } item || KeyText.Of(item, Schema) is not { } key)
            {
                return pending;
            }

            keys.Add(key);
        }

        var remaining = new List<int>(keys.Count);
        foreach (var i in pending)
        {
            if (keys.Contains(items[i].KeyText))
            {
                remaining.Add(i);
            }
        }

        if (remaining.Count != keys.Count)
        {
            return pending;
        }

        foreach (var i in pending)
        {
            if (!keys.Contains(items[i].KeyText))
            {
                outcomes[i] = WriteOutcome.Applied(items[i]);
            }
        }

        return remaining;
    }

    private static WriteRequest Request(WriteItem item) =>
        item.Operation == WriteOperation.Delete ? new WriteRequest(new DeleteRequest(item.Attributes)) : new WriteRequest(new PutRequest(item.Attributes));

    /// <summary>DynamoDB refused the whole batch: PutItem or DeleteItem each item so only the invalid ones are rejected.</summary>
    private Task WriteOneByOneAsync(IReadOnlyList<WriteItem> items, List<int> chunk, WriteOutcome[] outcomes, CancellationToken ct) =>
        ForEachBoundedAsync(
            chunk.Count,
            async (c, token) =>
            {
                var item = items[chunk[c]];
                outcomes[chunk[c]] = item.Operation == WriteOperation.Delete
                    ? await DeleteAsync(new DeleteItemRequest { TableName = Schema.TableName, Key = item.Attributes }, token)
                    : await PutAsync(new PutItemRequest { TableName = Schema.TableName, Item = item.Attributes }, token);
            },
            ct);

    private static void SetAll(List<int> indices, WriteOutcome[] outcomes, WriteOutcome outcome)
    {
        foreach (var i in indices)
        {
            outcomes[i] = outcome;
        }
    }
}
