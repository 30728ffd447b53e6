using DynamoWriter.Diagnostics;
using DynamoWriter.DynamoDb;
using DynamoWriter.Options;
using DynamoWriter.Pipeline.Checkpoints;
using DynamoWriter.Pipeline.DeadLetters;
using DynamoWriter.Redis;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline.Partitions;

/// <summary>What every partition of one engine shares: options, connections, writers and instruments.</summary>
internal sealed record PartitionContext(
    DynamoWriterOptions Options,
    string Consumer,
    RedisClient Commands,
    Func<RedisClient> CreateReader,
    ItemMapper Mapper,
    DeadLetterWriter DeadLetters,
    CheckpointStore? Checkpoints,
    DynamoWriterMetrics Metrics,
    PartitionTotals Totals,
    ILogger Logger,
    TimeProvider Time);

/// <summary>Counts across all partitions, for the stop summary and status reports.</summary>
internal sealed class PartitionTotals
{
    private long _read;
    private long _written;
    private long _skipped;
    private long _deadLettered;
    private long _acknowledged;

    public long Read => Interlocked.Read(ref _read);
    public long Written => Interlocked.Read(ref _written);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long DeadLettered => Interlocked.Read(ref _deadLettered);
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public void AddRead(long n) => Interlocked.Add(ref _read, n);
    public void AddWritten(long n) => Interlocked.Add(ref _written, n);
    public void AddSkipped(long n) => Interlocked.Add(ref _skipped, n);
    public void AddDeadLettered(long n) => Interlocked.Add(ref _deadLettered, n);
    public void AddAcknowledged(long n) => Interlocked.Add(ref _acknowledged, n);
}
