using Amazon.DynamoDBv2;
using DynamoWriter.Diagnostics;
using DynamoWriter.DynamoDb;
using DynamoWriter.Options;
using DynamoWriter.Pipeline.Checkpoints;
using DynamoWriter.Pipeline.DeadLetters;
using DynamoWriter.Pipeline.Health;
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
public sealed class DynamoWriterEngine : IHostedService, IAsyncDisposable
{
    private readonly DynamoWriterOptions _options;
    private readonly IAmazonDynamoDB _dynamo;
    private readonly DynamoWriterMetrics _metrics;
    private readonly ILogger<DynamoWriterEngine> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly List<Task> _running = [];
    private readonly PartitionTotals _totals = new();
    private readonly EngineHealth _health;
    private RedisClient? _commands;

    public DynamoWriterEngine(IOptions<DynamoWriterOptions> options, IAmazonDynamoDB dynamo, DynamoWriterMetrics metrics,
        ILogger<DynamoWriterEngine> logger, TimeProvider? time = null, EngineHealth? health = null)
    {
        _health = health ?? new EngineHealth();
        _options = options.Value;
        _dynamo = dynamo;
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        Consumer = ConsumerIdentity.Resolve(_options.Stream.Consumer);
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
    }

    private async Task StartPartitionsAsync(CancellationToken cancellationToken)
    {
        var stream = _options.Stream;
        var streams = stream.Streams.Distinct(StringComparer.Ordinal).ToList();
        Log.EngineStarting(_logger, Consumer, stream.Group, string.Join(",", streams), _options.DynamoDB.WritePolicy);

        // Fail start-up clearly (every missing table named) before anything is read.
        var catalog = new TableCatalog(_dynamo, _options.DynamoDB);
        var tables = streams.Select(_options.DynamoDB.TableFor).Append(_options.Checkpoint.TableName).Distinct(StringComparer.Ordinal);
        await catalog.EnsureTablesAsync(tables, cancellationToken).ConfigureAwait(false);

        var server = stream.EffectiveServer;
        _commands = new RedisClient(RedisClientOptions.From(server, $"dynamo-writer:{Consumer}"));
        await _commands.PingAsync(cancellationToken).ConfigureAwait(false);
        var context = new PartitionContext(
            _options,
            Consumer,
            _commands,
            () => new RedisClient(RedisClientOptions.From(server, $"dynamo-writer:{Consumer}:reader")),
            new ItemMapper(_options.Mapping, _options.DynamoDB),
            new DeadLetterWriter(_commands, stream, _metrics, _logger, _time),
            new CheckpointStore(_dynamo, _options.Checkpoint.TableName),
            _metrics,
            _totals,
            _logger,
            _time);

        var writers = new Dictionary<string, (IItemWriter Writer, TableKeySchema Schema)>(StringComparer.Ordinal);
        foreach (var name in streams)
        {
            var table = _options.DynamoDB.TableFor(name);
            if (!writers.TryGetValue(table, out var target))
            {
                var schema = await catalog.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false);
                target = (ItemWriterFactory.Create(_dynamo, schema, _options.DynamoDB, _metrics), schema);
                writers[table] = target;
            }

            var partition = new StreamPartition(name, context, target.Writer, target.Schema);
            var running = Task.Run(() => partition.RunAsync(_stopReading.Token, _abandon.Token), CancellationToken.None);
            _health.Track(name, running);
            _running.Add(running);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Log.EngineStopping(_logger);
        _health.MarkStopping();
        await _stopReading.CancelAsync().ConfigureAwait(false);
        var all = Task.WhenAll(_running);
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
