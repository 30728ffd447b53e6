using System.Diagnostics;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// What every write request to one table shares, whatever the call: the retry policy of
/// <c>sc.dynamoDB.retryMax</c> / <c>retryWaitMax</c> with full jitter, and the request metrics.
/// </summary>
internal sealed class WriteRequests
{
    private readonly RequestGate _gate;

    public WriteRequests(TableKeySchema schema, DynamoDbOptions options, DynamoWriterMetrics metrics, Backoff? backoff, RequestGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        Metrics = metrics;
        RetryMax = Math.Max(0, options.RetryMax);
        Backoff = backoff ?? new Backoff(options.RetryWaitMax);
        TableTag = new("table", schema.TableName);
        _gate = gate ?? RequestGate.Unlimited;
    }

    public DynamoWriterMetrics Metrics { get; }

    /// <summary>Re-sends after the first attempt; 0 means a single attempt.</summary>
    public int RetryMax { get; }

    public Backoff Backoff { get; }

    public KeyValuePair<string, object?> TableTag { get; }

    /// <summary>Counts the error; false (with the Failed outcome) when it is permanent or retries are used up.</summary>
    public bool ShouldRetry(Exception error, int retriesDone, out WriteOutcome failed)
    {
        if (DynamoErrorClassifier.IsThrottling(error))
        {
            Metrics.WriteThrottles.Add(1, TableTag);
        }

        if (!DynamoErrorClassifier.IsTransient(error))
        {
            Metrics.WriteFailures.Add(1, TableTag);
            failed = WriteOutcome.Failed($"{error.GetType().Name}: {error.Message}");
            return false;
        }

        if (retriesDone >= RetryMax)
        {
            Metrics.WriteFailures.Add(1, TableTag);
            failed = WriteOutcome.Failed($"gave up after {retriesDone + 1} attempts: {error.GetType().Name}: {error.Message}");
            return false;
        }

        Metrics.WriteRetries.Add(1, TableTag);
        failed = default;
        return true;
    }

    /// <summary>Takes a slot of the silo's gate; every <see cref="BeginAsync"/> that returns is followed by one <see cref="End"/>.</summary>
    public async ValueTask<long> BeginAsync(CancellationToken ct)
    {
        await _gate.EnterAsync(ct).ConfigureAwait(false);
        Metrics.RequestsInFlight.Add(1, TableTag);
        return Stopwatch.GetTimestamp();
    }

    public void End(long started, string operation, int items)
    {
        Metrics.RequestsInFlight.Add(-1, TableTag);
        _gate.Exit(); // after the count, so that the gauge never shows more than the gate lets through
        var op = new KeyValuePair<string, object?>("operation", operation);
        Metrics.RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, TableTag, op);
        if (items > 0)
        {
            Metrics.BatchSize.Record(items, TableTag, op); // 0: a read (the check after a retried put), not a write
        }
    }
}
