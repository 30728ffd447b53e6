using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;
using DynamoWriter.Streaming.Redis.Storage;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Writer;

/// <summary>What every writer grain of a silo shares: options, mapping, table writers, Redis and instruments.</summary>
public sealed class WriterContext
{
    public WriterContext(
        DynamoWriterOptions options,
        TableWriters tables,
        IRedisStreamAcknowledger acknowledger,
        Func<CancellationToken, Task<IDatabase>> redis,
        DynamoWriterMetrics metrics,
        WriterTotals totals,
        WriterShutdown shutdown,
        TimeProvider time,
        string siloName)
    {
        Options = options;
        Tables = tables;
        Acknowledger = acknowledger;
        Redis = redis;
        Metrics = metrics;
        Totals = totals;
        Shutdown = shutdown;
        Time = time;
        SiloName = siloName;
        Mapper = new ItemMapper(options.Mapping, options.DynamoDB);
    }

    public DynamoWriterOptions Options { get; }
    public ItemMapper Mapper { get; }
    public TableWriters Tables { get; }
    public IRedisStreamAcknowledger Acknowledger { get; }

    /// <summary>The database of the streams, for the group's position (XINFO GROUPS, XPENDING).</summary>
    public Func<CancellationToken, Task<IDatabase>> Redis { get; }

    public DynamoWriterMetrics Metrics { get; }
    public WriterTotals Totals { get; }
    public WriterShutdown Shutdown { get; }
    public TimeProvider Time { get; }
    public string SiloName { get; }

    /// <summary>Fault injection for tests: streams whose activations do not attach their observer.</summary>
    public Func<string, bool>? SkipSubscription { get; set; }
}

/// <summary>
/// The shutdown deadline: cancelled when the host has been stopping for almost <c>sc.shutdownTimeout</c>,
/// so a write that cannot finish (DynamoDB down while stopping) gives up and its entries stay pending.
/// </summary>
public sealed class WriterShutdown : IDisposable
{
    private readonly CancellationTokenSource _abandon = new();

    public CancellationToken Abandon => _abandon.Token;

    /// <summary>Starts the countdown; called once when the host begins to stop.</summary>
    public void Begin(TimeSpan budget)
    {
        // Leave time after abandoning for the final checkpoints and for leaving the cluster.
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(3).Ticks, budget.Ticks / 4));
        _abandon.CancelAfter(budget - margin);
    }

    public void Dispose() => _abandon.Dispose();
}
