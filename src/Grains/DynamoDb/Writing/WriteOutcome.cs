using DynamoWriter.Diagnostics;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>What happened to one item handed to an <see cref="IItemWriter"/>.</summary>
public enum WriteStatus
{
    /// <summary>Durably in the table (or superseded by a later entry with the same key that is).</summary>
    Written,

    /// <summary>A delete: the item with its key is gone (or superseded by a later entry with the same key that is applied).</summary>
    Deleted,

    /// <summary>Not written because the write policy kept the stored item (or a better one in the same call).</summary>
    Skipped,

    /// <summary>Permanent: DynamoDB refused it; goes to the dead-letter stream with ErrorKind and Error.</summary>
    Rejected,

    /// <summary>Transient failure after all retries: stays pending and is retried later.</summary>
    Failed,
}

public readonly record struct WriteOutcome(WriteStatus Status, EntryErrorKind? ErrorKind = null, string? Error = null)
{
    public static readonly WriteOutcome Written = new(WriteStatus.Written);
    public static readonly WriteOutcome Skipped = new(WriteStatus.Skipped);
    public static readonly WriteOutcome Deleted = new(WriteStatus.Deleted);

    /// <summary>Done as asked: Written for a put, Deleted for a delete.</summary>
    public static WriteOutcome Applied(WriteItem item) => item.Operation == WriteOperation.Delete ? Deleted : Written;

    public static WriteOutcome Rejected(EntryErrorKind kind, string error) => new(WriteStatus.Rejected, kind, error);

    public static WriteOutcome Failed(string error) => new(WriteStatus.Failed, null, error);
}

/// <summary>Writes items to one table under one write policy. Thread-safe; calls may overlap.</summary>
public interface IItemWriter
{
    /// <summary>
    /// Returns exactly one outcome per input item, in input order. Never throws for per-item problems;
    /// throws <see cref="OperationCanceledException"/> on cancellation only.
    /// </summary>
    Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<WriteItem> items, CancellationToken ct);
}
