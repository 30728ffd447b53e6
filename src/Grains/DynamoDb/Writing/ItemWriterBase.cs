using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// What every policy shares: de-duplication of keys within one call (in rounds, so that when the chosen
/// entry of a key is rejected the next one gets its turn), bounded parallelism, retries with backoff,
/// single PutItem or DeleteItem with a condition, and metrics.
/// </summary>
internal abstract class ItemWriterBase : IItemWriter
{
    protected const string PutItemOperation = "PutItem";
    protected const string BatchWriteItemOperation = "BatchWriteItem";
    protected const string DeleteItemOperation = "DeleteItem";
    protected const string GetItemOperation = "GetItem";

    protected ItemWriterBase(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff, RequestGate? gate)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        Client = client;
        Schema = schema;
        Requests = new WriteRequests(schema, options, metrics, backoff, gate);
        MaxInFlight = Math.Max(1, options.MaxInFlight);
    }

    protected IAmazonDynamoDB Client { get; }

    protected TableKeySchema Schema { get; }

    protected WriteRequests Requests { get; }

    protected DynamoWriterMetrics Metrics => Requests.Metrics;

    /// <summary>Re-sends after the first attempt; 0 means a single attempt.</summary>
    protected int RetryMax => Requests.RetryMax;

    protected int MaxInFlight { get; }

    protected Backoff Backoff => Requests.Backoff;

    protected KeyValuePair<string, object?> TableTag => Requests.TableTag;

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<WriteItem> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        var outcomes = new WriteOutcome[items.Count];
        if (items.Count == 0)
        {
            return outcomes;
        }

        ct.ThrowIfCancellationRequested();
        var pending = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            pending.Add(i);
        }

        while (pending.Count > 0)
        {
            var (chosen, others) = SelectOnePerKey(items, pending);
            await WriteDistinctAsync(items, chosen, outcomes, ct);
            pending = [];
            foreach (var (index, chosenIndex) in others)
            {
                var decisive = outcomes[chosenIndex];
                if (decisive.Status != WriteStatus.Rejected && OutcomeOfOther(decisive, chosenIndex, items[index], index) is { } outcome)
                {
                    outcomes[index] = outcome;
                }
                else
                {
                    pending.Add(index); // the chosen one is dead-lettered, or this one must follow it: its own turn
                }
            }

            pending.Sort(); // Choose sees each key's entries in stream order
        }

        return outcomes;
    }

    /// <summary>Among several pending items with one key, the index of the one to write (the others follow its outcome).</summary>
    protected abstract int Choose(IReadOnlyList<WriteItem> items, List<int> sameKey);

    /// <summary>
    /// The outcome of an item not sent because another item with its key was chosen, once the chosen one's
    /// outcome is known; null when it must still be applied after the chosen one (in the next round).
    /// </summary>
    protected abstract WriteOutcome? OutcomeOfOther(WriteOutcome chosen, int chosenIndex, WriteItem other, int otherIndex);

    /// <summary>Writes items whose keys are pairwise distinct, setting their outcomes.</summary>
    protected abstract Task WriteDistinctAsync(IReadOnlyList<WriteItem> items, List<int> indices, WriteOutcome[] outcomes, CancellationToken ct);

    private (List<int> Chosen, List<(int Index, int Chosen)> Others) SelectOnePerKey(IReadOnlyList<WriteItem> items, List<int> pending)
    {
        var groups = new Dictionary<string, List<int>>(pending.Count, StringComparer.Ordinal);
        var duplicates = false;
        foreach (var i in pending)
        {
            if (groups.TryGetValue(items[i].KeyText, out var group))
            {
                group.Add(i);
                duplicates = true;
            }
            else
            {
                groups.Add(items[i].KeyText, [i]);
            }
        }

        if (!duplicates)
        {
            return (pending, []);
        }

        var chosen = new List<int>(groups.Count);
        var others = new List<(int, int)>();
        foreach (var group in groups.Values)
        {
            if (group.Count == 1)
            {
                chosen.Add(group[0]);
                continue;
            }

            var winner = Choose(items, group);
            chosen.Add(winner);
            foreach (var i in group)
            {
                if (i != winner)
                {
                    others.Add((i, winner));
                }
            }
        }

        chosen.Sort();
        return (chosen, others);
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1 with at most <see cref="MaxInFlight"/> at once.</summary>
    protected Task ForEachBoundedAsync(int count, Func<int, CancellationToken, ValueTask> body, CancellationToken ct)
    {
        if (count == 1)
        {
            return body(0, ct).AsTask();
        }

        return Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct },
            body);
    }

    /// <summary>
    /// One PutItem with retries (see <see cref="SendOneAsync"/>); Written when done. A conditional put whose
    /// condition fails after an attempt that may have been applied reads the stored item: when it is ours,
    /// that attempt wrote it (Written), otherwise the policy kept another (Skipped).
    /// </summary>
    protected Task<WriteOutcome> PutAsync(PutItemRequest request, CancellationToken ct) =>
        SendOneAsync(
            PutItemOperation,
            request.ConditionExpression is not null,
            WriteOutcome.Written,
            token => Client.PutItemAsync(request, token),
            token => IsStoredAsync(request.Item, token),
            ct);

    /// <summary>
    /// One DeleteItem with retries (see <see cref="SendOneAsync"/>); Deleted when done. An applied earlier
    /// attempt leaves no item, which newer-wins' delete condition lets through: no read needed.
    /// </summary>
    protected Task<WriteOutcome> DeleteAsync(DeleteItemRequest request, CancellationToken ct) =>
        SendOneAsync(DeleteItemOperation, request.ConditionExpression is not null, WriteOutcome.Deleted, token => Client.DeleteItemAsync(request, token), null, ct);

    /// <summary>
    /// One request with retries. Done → <paramref name="done"/>; condition failed → Skipped, unless an
    /// earlier attempt may have been applied and <paramref name="appliedByUs"/> finds it was; validation →
    /// Rejected; other permanent errors and exhausted retries → Failed.
    /// </summary>
    private async Task<WriteOutcome> SendOneAsync(
        string operation,
        bool conditional,
        WriteOutcome done,
        Func<CancellationToken, Task> send,
        Func<CancellationToken, Task<bool>>? appliedByUs,
        CancellationToken ct)
    {
        var mayHaveApplied = false;
        for (var retry = 0; ; retry++)
        {
            Exception? error = null;
            var conditionFailed = false;
            var started = await BeginRequestAsync(ct);
            try
            {
                await send(ct);
                return done;
            }
            catch (ConditionalCheckFailedException) when (conditional && !ct.IsCancellationRequested)
            {
                conditionFailed = true;
            }
            catch (Exception e)
            {
                ct.ThrowIfCancellationRequested();
                error = e;
            }
            finally
            {
                EndRequest(started, operation, 1);
            }

            if (conditionFailed)
            {
                if (!mayHaveApplied || appliedByUs is null)
                {
                    return WriteOutcome.Skipped;
                }

                try
                {
                    return await appliedByUs(ct) ? done : WriteOutcome.Skipped;
                }
                catch (Exception e)
                {
                    ct.ThrowIfCancellationRequested();
                    error = e; // the read failed: the put is tried again, and its condition read again
                }
            }

            if (DynamoErrorClassifier.IsValidation(error!))
            {
                return WriteOutcome.Rejected(EntryErrorKind.ValidationRejected, error!.Message);
            }

            mayHaveApplied |= !conditionFailed && DynamoErrorClassifier.MayHaveApplied(error!);
            if (!ShouldRetry(error!, retry, out var failed))
            {
                return failed;
            }

            await Backoff.WaitAsync(retry + 1, ct);
        }
    }

    /// <summary>Whether the stored item with <paramref name="item"/>'s key is <paramref name="item"/> (a consistent read).</summary>
    private async Task<bool> IsStoredAsync(Dictionary<string, AttributeValue> item, CancellationToken ct)
    {
        var started = await BeginRequestAsync(ct);
        try
        {
            var response = await Client.GetItemAsync(
                new GetItemRequest { TableName = Schema.TableName, Key = Schema.KeyOf(item), ConsistentRead = true },
                ct);
            return StoredItem.Matches(response.IsItemSet ? response.Item : null, item);
        }
        finally
        {
            EndRequest(started, GetItemOperation, 0);
        }
    }

    /// <summary>Counts the error; false (with the Failed outcome) when it is permanent or retries are used up.</summary>
    protected bool ShouldRetry(Exception error, int retriesDone, out WriteOutcome failed) => Requests.ShouldRetry(error, retriesDone, out failed);

    protected ValueTask<long> BeginRequestAsync(CancellationToken ct) => Requests.BeginAsync(ct);

    protected void EndRequest(long started, string operation, int items) => Requests.End(started, operation, items);
}
