namespace DynamoWriter.Diagnostics;

/// <summary>
/// This process's counts since it started, across every stream: what its heartbeat and stop summary report.
/// One singleton per silo; the provider adds what it reads, the writer grains what they finish.
/// </summary>
public sealed class WriterTotals
{
    private long _read;
    private long _written;
    private long _skipped;
    private long _deleted;
    private long _deadLettered;
    private long _acknowledged;

    public long Read => Interlocked.Read(ref _read);
    public long Written => Interlocked.Read(ref _written);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long Deleted => Interlocked.Read(ref _deleted);
    public long DeadLettered => Interlocked.Read(ref _deadLettered);
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public void AddRead(long n) => Interlocked.Add(ref _read, n);
    public void AddWritten(long n) => Interlocked.Add(ref _written, n);
    public void AddSkipped(long n) => Interlocked.Add(ref _skipped, n);
    public void AddDeleted(long n) => Interlocked.Add(ref _deleted, n);
    public void AddDeadLettered(long n) => Interlocked.Add(ref _deadLettered, n);
    public void AddAcknowledged(long n) => Interlocked.Add(ref _acknowledged, n);
}
