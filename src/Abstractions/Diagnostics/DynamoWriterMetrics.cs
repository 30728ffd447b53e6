using System.Diagnostics.Metrics;

namespace DynamoWriter.Diagnostics;

/// <summary>
/// Every instrument DynamoWriter reports. Names follow OpenTelemetry conventions; the Prometheus
/// exposition turns <c>dynamowriter.entries.read</c> into <c>dynamowriter_entries_read_total</c>.
/// One instance per engine, so several engines (or tests) in one process do not mix their counts.
/// </summary>
public sealed class DynamoWriterMetrics : IDisposable
{
    public const string MeterName = "DynamoWriter";

    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] HandoverBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
    private static readonly int[] BatchBuckets = [1, 2, 5, 10, 15, 20, 25, 50, 100, 250, 500];

    private readonly Meter _meter;

    public DynamoWriterMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        EntriesRead = _meter.CreateCounter<long>("dynamowriter.entries.read", "{entry}", "Entries read from streams (new, re-read pending and claimed).");
        EntriesWritten = _meter.CreateCounter<long>("dynamowriter.entries.written", "{entry}", "Entries durably written to DynamoDB.");
        EntriesSkipped = _meter.CreateCounter<long>("dynamowriter.entries.skipped", "{entry}", "Entries not written because the write policy kept the stored item.");
        EntriesDeadLettered = _meter.CreateCounter<long>("dynamowriter.entries.dead_lettered", "{entry}", "Entries moved to the dead-letter stream, by error kind.");
        EntriesClaimed = _meter.CreateCounter<long>("dynamowriter.entries.claimed", "{entry}", "Entries claimed from other consumers.");
        EntriesAcknowledged = _meter.CreateCounter<long>("dynamowriter.entries.acknowledged", "{entry}", "Entries acknowledged (XACK) after being persisted.");
        EntriesDeleted = _meter.CreateCounter<long>("dynamowriter.entries.deleted", "{entry}", "Pending entries the server reported as deleted; acknowledged without a write.");
        ItemsDeleted = _meter.CreateCounter<long>("dynamowriter.items.deleted", "{entry}", "Delete entries applied to DynamoDB: the item with the entry's key is gone.");
        WriteRetries = _meter.CreateCounter<long>("dynamowriter.dynamodb.retries", "{request}", "DynamoDB requests or unprocessed items sent again.");
        WriteThrottles = _meter.CreateCounter<long>("dynamowriter.dynamodb.throttles", "{request}", "DynamoDB throttling answers.");
        WriteFailures = _meter.CreateCounter<long>("dynamowriter.dynamodb.failures", "{request}", "DynamoDB requests that failed with a transient error after all retries.");
        RequestDuration = _meter.CreateHistogram("dynamowriter.dynamodb.request.duration", "s", "DynamoDB request latency.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        BatchSize = _meter.CreateHistogram("dynamowriter.batch.size", "{entry}", "Entries per DynamoDB write request.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        EndToEndLatency = _meter.CreateHistogram("dynamowriter.entry.latency", "s", "From the time in the entry ID to acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        QueueUnownedDuration = _meter.CreateHistogram("dynamowriter.queue.unowned.duration", "s",
            "When a silo starts reading a queue: how long the queue went unread since its previous owner last read it (a move, a crash, a restart).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HandoverBuckets });
        EntriesRedelivered = _meter.CreateCounter<long>("dynamowriter.entries.redelivered", "{entry}",
            "Entries a silo re-read from a queue's pending list when it started reading the queue: delivered to the previous owner, so possibly written twice.");
        RequestsInFlight = _meter.CreateUpDownCounter<long>("dynamowriter.dynamodb.requests.in_flight", "{request}", "DynamoDB requests under way.");
        PartitionsPaused = _meter.CreateUpDownCounter<long>("dynamowriter.partitions.paused", "{partition}", "Partitions paused waiting for the backend.");
    }

    public Counter<long> EntriesRead { get; }
    public Counter<long> EntriesWritten { get; }
    public Counter<long> EntriesSkipped { get; }
    public Counter<long> EntriesDeadLettered { get; }
    public Counter<long> EntriesClaimed { get; }
    public Counter<long> EntriesAcknowledged { get; }
    public Counter<long> EntriesDeleted { get; }
    public Counter<long> ItemsDeleted { get; }
    public Counter<long> WriteRetries { get; }
    public Counter<long> WriteThrottles { get; }
    public Counter<long> WriteFailures { get; }
    public Histogram<double> RequestDuration { get; }
    public Histogram<int> BatchSize { get; }
    public Histogram<double> EndToEndLatency { get; }
    public Histogram<double> QueueUnownedDuration { get; }
    public Counter<long> EntriesRedelivered { get; }
    public UpDownCounter<long> RequestsInFlight { get; }
    public UpDownCounter<long> PartitionsPaused { get; }

    /// <summary>The meter, for an exporter to listen to.</summary>
    public Meter Meter => _meter;

    /// <summary>Registers gauges observed on each collection (stream lag, pending counts...).</summary>
    public ObservableGauge<T> CreateObservableGauge<T>(string name, Func<IEnumerable<Measurement<T>>> observe, string unit, string description)
        where T : struct => _meter.CreateObservableGauge(name, observe, unit, description);

    public void Dispose() => _meter.Dispose();
}
