using DynamoWriter.DynamoDb;
using DynamoWriter.Pipeline.Checkpoints;
using DynamoWriter.Pipeline.DeadLetters;
using DynamoWriter.Pipeline.Nodes;
using DynamoWriter.Pipeline.Partitions;
using DynamoWriter.Redis;
using DynamoWriter.Resilience;

namespace DynamoWriter.Pipeline.Engine;

/// <summary>Starting partitions: the configured streams at start, and streams matching a pattern as they appear.</summary>
public sealed partial class DynamoWriterEngine
{
    private readonly Dictionary<string, (IItemWriter Writer, TableKeySchema Schema)> _writers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _partitions = new(StringComparer.Ordinal);
    private readonly List<StreamPartition> _started = [];
    private PartitionContext? _context;
    private TableCatalog? _catalog;

    /// <summary>The streams this node consumes now (configured ones and those discovered by pattern).</summary>
    public IReadOnlyList<string> Streams
    {
        get
        {
            lock (_partitions)
            {
                return [.. _partitions.Order(StringComparer.Ordinal)];
            }
        }
    }

    private async Task StartPartitionsAsync(CancellationToken cancellationToken)
    {
        var stream = _options.Stream;
        var literal = stream.Streams.Where(s => !StreamNames.IsPattern(s)).Distinct(StringComparer.Ordinal).ToList();
        // A dead-letter stream is never a source, even when listed: its entries would be written (or
        // dead-lettered again) as if they were new.
        var deadLetters = literal.Select(stream.DeadLetter.KeyFor).ToHashSet(StringComparer.Ordinal);
        foreach (var skipped in literal.Where(deadLetters.Contains).ToList())
        {
            Log.DeadLetterStreamNotConsumed(_logger, skipped);
            literal.Remove(skipped);
        }

        Log.EngineStarting(_logger, Consumer, stream.Group, string.Join(",", stream.Streams), _options.DynamoDB.WritePolicy);

        // Fail start-up clearly (every missing table named) before anything is read.
        _catalog = new TableCatalog(_dynamo, _options.DynamoDB);
        var tables = literal.Select(_options.DynamoDB.TableFor).Append(_options.DynamoDB.TableName).Append(_options.Checkpoint.TableName).Distinct(StringComparer.Ordinal);
        await RetryAtStartAsync("DynamoDB", () => _catalog.EnsureTablesAsync(tables, cancellationToken), DynamoErrorClassifier.IsTransient, cancellationToken).ConfigureAwait(false);

        var server = stream.EffectiveServer;
        _commands = new RedisClient(RedisClientOptions.From(server, $"dynamo-writer:{Consumer}"));
        await RetryAtStartAsync("Redis", () => _commands.PingAsync(cancellationToken), e => e is RedisConnectionException, cancellationToken).ConfigureAwait(false);
        _context = new PartitionContext(
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

        foreach (var name in literal)
        {
            await StartPartitionAsync(name, cancellationToken).ConfigureAwait(false);
        }

        await DiscoverAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A backend that is slow or restarting while we start is not a reason to crash-loop: transient errors
    /// are retried for up to <see cref="StartupRetryBudget"/>. A permanent one (a missing table) fails at once.
    /// </summary>
    private async Task RetryAtStartAsync(string backend, Func<Task> step, Func<Exception, bool> isTransient, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + StartupRetryBudget;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await step().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (isTransient(ex) && _time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff.FullJitter(attempt, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
                Log.StartupRetry(_logger, ex, backend, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan StartupRetryBudget = TimeSpan.FromMinutes(1);

    private async Task StartPartitionAsync(string name, CancellationToken cancellationToken)
    {
        lock (_partitions)
        {
            if (!_partitions.Add(name))
            {
                return;
            }
        }

        var table = _options.DynamoDB.TableFor(name);
        if (!_writers.TryGetValue(table, out var target))
        {
            var schema = await _catalog!.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false);
            var writer = _writerFactory?.Invoke(schema) ?? ItemWriterFactory.Create(_dynamo, schema, _options.DynamoDB, _metrics);
            target = (writer, schema);
            _writers[table] = target;
        }

        var partition = new StreamPartition(name, _context!, target.Writer, target.Schema);
        lock (_started)
        {
            _started.Add(partition);
        }

        var running = Task.Run(async () =>
        {
            try
            {
                await partition.RunAsync(_stopReading.Token, _abandon.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A partition that dies unnoticed would leave its stream unread; say so loudly (and /healthz sees the fault).
                Log.PartitionFailed(_logger, ex, name);
                throw;
            }
        }, CancellationToken.None);
        _health.Track(name, running);
        lock (_running)
        {
            _running.Add(running);
        }
    }

    /// <summary>Every partition's state, one line each: what the debug progress line reports.</summary>
    public string DescribePartitions()
    {
        lock (_started)
        {
            return string.Join("; ", _started.Select(p => p.Describe()));
        }
    }

    /// <summary>Finds existing streams matching the configured patterns (SCAN ... TYPE stream), dead-letter streams excluded.</summary>
    private async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        var deadLetter = _options.Stream.DeadLetter.Stream;
        foreach (var pattern in _options.Stream.Streams.Where(StreamNames.IsPattern).Distinct(StringComparer.Ordinal))
        {
            await foreach (var key in _commands!.ScanAllAsync(pattern, "stream", cancellationToken).ConfigureAwait(false))
            {
                if (StreamNames.IsDeadLetter(key, deadLetter) || Streams.Contains(key))
                {
                    continue;
                }

                Log.StreamDiscovered(_logger, key, pattern);
                await StartPartitionAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DiscoveryLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.Stream.DiscoverInterval, _time);
        var failures = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await DiscoverAsync(stopping).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.DiscoveryFailed(_logger, ex);
                    await Task.Delay(Backoff.FullJitter(failures++, TimeSpan.FromSeconds(10)), _time, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
