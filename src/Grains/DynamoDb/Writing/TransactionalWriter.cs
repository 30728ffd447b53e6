using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// exactly-once: a batch's items and the writer's checkpoint in one TransactWriteItems, so both commit or
/// neither does. Every attempt of one commit carries the caller's ClientRequestToken: a retry after a lost
/// reply is answered from the first attempt instead of being applied again.
/// </summary>
public sealed class TransactionalWriter
{
    public const string Operation = "TransactWriteItems";

    /// <summary>DynamoDB's limits of one transaction: actions, and bytes of all items together.</summary>
    public const int MaxActions = 100;
    public const long MaxBytes = 4L * 1024 * 1024;

    private const string ConditionFailed = "ConditionalCheckFailed";
    private const string ValidationError = "ValidationError";

    private readonly IAmazonDynamoDB _client;
    private readonly WriteCondition? _condition;
    private readonly WriteRequests _requests;

    internal TransactionalWriter(IAmazonDynamoDB client, TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff = null, RequestGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        Schema = schema;
        _condition = WriteCondition.For(schema, options);
        _requests = new WriteRequests(schema, options, metrics, backoff, gate);
    }

    public TableKeySchema Schema { get; }

    /// <summary>
    /// Puts or deletes <paramref name="items"/> (pairwise distinct keys, each with the policy's condition) and applies
    /// <paramref name="checkpoint"/> in one transaction. Items the policy keeps out (a failed condition) or
    /// DynamoDB refuses come back as <see cref="TransactionStatus.Refused"/> and nothing is committed: the
    /// caller drops them and commits the rest under a new token.
    /// </summary>
    public async Task<TransactionResult> CommitAsync(IReadOnlyList<WriteItem> items, TransactWriteItem checkpoint, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        var actions = new List<TransactWriteItem>(items.Count + 1);
        List<(int, WriteOutcome)>? refused = null;
        for (var i = 0; i < items.Count; i++)
        {
            if (Action(items[i], out var rejected) is { } action)
            {
                actions.Add(action);
            }
            else
            {
                (refused ??= []).Add((i, rejected));
            }
        }

        if (refused is not null)
        {
            return TransactionResult.ItemsRefused(refused);
        }

        actions.Add(checkpoint);
        var request = new TransactWriteItemsRequest { TransactItems = actions, ClientRequestToken = token };
        for (var retry = 0; ; retry++)
        {
            Exception error;
            var started = await _requests.BeginAsync(ct).ConfigureAwait(false);
            try
            {
                await _client.TransactWriteItemsAsync(request, ct).ConfigureAwait(false);
                return TransactionResult.Committed;
            }
            catch (TransactionCanceledException e) when (!ct.IsCancellationRequested)
            {
                if (Cancelled(e, items.Count) is { } answer)
                {
                    return answer;
                }

                error = e; // cancelled by a conflicting transaction or throttling: the classifier calls it transient
            }
            catch (Exception e)
            {
                ct.ThrowIfCancellationRequested();
                error = e;
            }
            finally
            {
                _requests.End(started, Operation, items.Count);
            }

            if (DynamoErrorClassifier.IsValidation(error))
            {
                // The request as a whole (too large, ...): the caller finds the item by committing fewer.
                return TransactionResult.Invalid(error.Message);
            }

            if (!_requests.ShouldRetry(error, retry, out var failed))
            {
                return TransactionResult.Failed(failed.Error ?? error.Message);
            }

            await _requests.Backoff.WaitAsync(retry + 1, ct).ConfigureAwait(false);
        }
    }

    private TransactWriteItem? Action(WriteItem item, out WriteOutcome rejected)
    {
        rejected = default;
        Dictionary<string, AttributeValue>? values = null;
        if (_condition is not null && !_condition.TryGetValues(item, out values, out rejected))
        {
            return null;
        }

        if (item.Operation == WriteOperation.Delete)
        {
            var delete = new Delete { TableName = Schema.TableName, Key = Schema.KeyOf(item.Attributes) };
            if (_condition?.DeleteExpression is { } expression)
            {
                delete.ConditionExpression = expression;
                delete.ExpressionAttributeNames = _condition.DeleteNames;
                delete.ExpressionAttributeValues = values;
            }

            return new TransactWriteItem { Delete = delete };
        }

        var put = new Put { TableName = Schema.TableName, Item = item.Attributes };
        if (_condition is not null)
        {
            put.ConditionExpression = _condition.PutExpression;
            put.ExpressionAttributeNames = _condition.PutNames;
            put.ExpressionAttributeValues = values;
        }

        return new TransactWriteItem { Put = put };
    }

    /// <summary>
    /// What the reasons of a cancelled transaction (one per action, the checkpoint last) answer: the checkpoint's
    /// condition failed, or some items were kept out; null when only conflicts or throttling cancelled it.
    /// </summary>
    private static TransactionResult? Cancelled(TransactionCanceledException e, int items)
    {
        var reasons = e.CancellationReasons;
        if (reasons is null || reasons.Count != items + 1)
        {
            return null;
        }

        if (reasons[items].Code == ConditionFailed)
        {
            return TransactionResult.CheckpointConflict;
        }

        List<(int, WriteOutcome)>? refused = null;
        for (var i = 0; i < items; i++)
        {
            switch (reasons[i].Code)
            {
                case ConditionFailed:
                    (refused ??= []).Add((i, WriteOutcome.Skipped));
                    break;
                case ValidationError:
                    (refused ??= []).Add((i, WriteOutcome.Rejected(EntryErrorKind.ValidationRejected, reasons[i].Message ?? "refused by DynamoDB")));
                    break;
            }
        }

        return refused is null ? null : TransactionResult.ItemsRefused(refused);
    }
}

public enum TransactionStatus
{
    /// <summary>Items and checkpoint are durable.</summary>
    Committed,

    /// <summary>Nothing committed: some items were kept out by the policy or refused; see <see cref="TransactionResult.Refused"/>.</summary>
    Refused,

    /// <summary>Nothing committed: the stored checkpoint is not the one the writer last committed.</summary>
    CheckpointConflict,

    /// <summary>Nothing committed: DynamoDB refused the request as a whole.</summary>
    Invalid,

    /// <summary>Nothing committed: transient trouble outlasted the retries.</summary>
    Failed,
}

/// <summary>The answer to one commit.</summary>
public readonly record struct TransactionResult(TransactionStatus Status, IReadOnlyList<(int Index, WriteOutcome Outcome)>? Refused = null, string? Error = null)
{
    public static readonly TransactionResult Committed = new(TransactionStatus.Committed);
    public static readonly TransactionResult CheckpointConflict = new(TransactionStatus.CheckpointConflict);

    public static TransactionResult ItemsRefused(IReadOnlyList<(int, WriteOutcome)> refused) => new(TransactionStatus.Refused, refused);

    public static TransactionResult Invalid(string error) => new(TransactionStatus.Invalid, Error: error);

    public static TransactionResult Failed(string error) => new(TransactionStatus.Failed, Error: error);
}
