using Amazon.DynamoDBv2;
using DynamoWriter.Diagnostics;
using DynamoWriter.DynamoDb;
using DynamoWriter.Options;
using DynamoWriter.Pipeline.Health;
using DynamoWriter.Pipeline.Nodes;
using DynamoWriter.Pipeline.Partitions;
using DynamoWriter.Redis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Pipeline.Engine;

/// <summary>
/// The whole engine as a hosted service: one partition per stream, started after the target tables are
/// checked, stopped in a fixed order (stop reading, finish in-flight writes, acknowledge, release).
/// </summary>
public sealed partial class DynamoWriterEngine : IHostedService, IAsyncDisposable
{
    private readonly DynamoWriterOptions _options;
    private readonly IAmazonDynamoDB _dynamo;
    private readonly DynamoWriterMetrics _metrics;
    private readonly ILogger<DynamoWriterEngine> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly List<Task> _running = [];
    private readonly List<Task> _background = [];
    private readonly PartitionTotals _totals = new();
    private readonly EngineHealth _health;
    private readonly DateTimeOffset _startedAt;
    private readonly Func<TableKeySchema, IItemWriter>? _writerFactory;
    private RedisClient? _commands;

    /// <param name="writerFactory">
    /// Replaces the DynamoDB writer of each table (register a <c>Func&lt;TableKeySchema, IItemWriter&gt;</c>
    /// singleton). Meant for benchmarks and tests, e.g. a sink that discards, to measure the Redis side alone;
    /// when absent, the writer of the configured write policy is used.
    /// </param>
    public DynamoWriterEngine(IOptions<DynamoWriterOptions> options, IAmazonDynamoDB dynamo, DynamoWriterMetrics metrics,
        ILogger<DynamoWriterEngine> logger, TimeProvider? time = null, EngineHealth? health = null,
        Func<TableKeySchema, IItemWriter>? writerFactory = null)
    {
        _writerFactory = writerFactory;
        _health = health ?? new EngineHealth();
        _options = options.Value;
        _dynamo = dynamo;
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        Consumer = ConsumerIdentity.Resolve(_options.Stream.Consumer);
        _startedAt = _time.GetUtcNow();
    }

    /// <summary>This process's consumer name in the group.</summary>
    public string Consumer { get; }

    /// <summary>Liveness of the engine and its partition loops, for /healthz and /readyz.</summary>
    public EngineHealth Health => _health;

    public long EntriesRead => _totals.Read;
    public long EntriesWritten => _totals.Written;
    public long EntriesSkipped => _totals.Skipped;
    public long EntriesDeadLettered => _totals.DeadLettered;
    public long EntriesAcknowledged => _totals.Acknowledged;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _health.MarkStarting();
        try
        {
            await StartPartitionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _health.MarkStartFailed(ex);
            throw;
        }

        _health.MarkRunning();
        _background.Add(Task.Run(() => HeartbeatLoopAsync(_stopReading.Token), CancellationToken.None));
        _background.Add(Task.Run(() => MaintenanceLoopAsync(_stopReading.Token), CancellationToken.None));
        if (_options.Stream.Streams.Any(StreamNames.IsPattern))
        {
            _background.Add(Task.Run(() => DiscoveryLoopAsync(_stopReading.Token), CancellationToken.None));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Log.EngineStopping(_logger);
        _health.MarkStopping();
        await _stopReading.CancelAsync().ConfigureAwait(false);
        Task all;
        lock (_running)
        {
            all = Task.WhenAll(_running.Concat(_background));
        }

        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.ShutdownTimedOut(_logger);
            await _abandon.CancelAsync().ConfigureAwait(false);
            // Abandoning is quick: in-flight requests observe the token. Wait for them so nothing
            // touches Redis after we report stopped.
            await all.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }

        await RemoveHeartbeatAsync().ConfigureAwait(false);
        _health.MarkStopped();
        Log.EngineStopped(_logger, _totals.Written, _totals.Skipped, _totals.DeadLettered, _totals.Acknowledged);
    }

    public async ValueTask DisposeAsync()
    {
        if (_commands is not null)
        {
            await _commands.DisposeAsync().ConfigureAwait(false);
        }

        _stopReading.Dispose();
        _abandon.Dispose();
    }
}
