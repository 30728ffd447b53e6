using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.Writer;

/// <summary>
/// One writer per target table, shared by every writer grain of the silo: the table's key schema is read
/// once (DescribeTable) and the writer of the configured policy reused, so a new activation costs nothing.
/// All of them share one <see cref="RequestGate"/>: <c>sc.dynamoDB.siloMaxInFlight</c> bounds the silo's requests.
/// </summary>
public sealed class TableWriters
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableWriter>>> _writers = new(StringComparer.Ordinal);
    private readonly IAmazonDynamoDB _dynamo;
    private readonly DynamoWriterOptions _options;
    private readonly DynamoWriterMetrics _metrics;
    private readonly Func<TableKeySchema, IItemWriter>? _writerFactory;
    private readonly RequestGate _gate;

    /// <param name="writerFactory">
    /// Replaces the DynamoDB writer of each table (register a <c>Func&lt;TableKeySchema, IItemWriter&gt;</c>
    /// singleton): for benchmarks and tests, e.g. a sink that discards, to measure the Redis side alone.
    /// </param>
    public TableWriters(IAmazonDynamoDB dynamo, DynamoWriterOptions options, DynamoWriterMetrics metrics, Func<TableKeySchema, IItemWriter>? writerFactory = null)
    {
        _dynamo = dynamo;
        _options = options;
        _metrics = metrics;
        _writerFactory = writerFactory;
        _gate = new RequestGate(options.DynamoDB.SiloMaxInFlight);
        Catalog = new TableCatalog(dynamo, options.DynamoDB);
    }

    public TableCatalog Catalog { get; }

    /// <summary>The writer and key schema of the table <paramref name="stream"/> is written to.</summary>
    public Task<TableWriter> ForStreamAsync(string stream, CancellationToken cancellationToken)
    {
        var table = _options.DynamoDB.TableFor(stream);
        var lazy = _writers.GetOrAdd(table, t => new Lazy<Task<TableWriter>>(() => CreateAsync(t, cancellationToken)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A transient DescribeTable failure must not stick: the next batch asks again.
            _writers.TryRemove(new KeyValuePair<string, Lazy<Task<TableWriter>>>(table, lazy));
        }

        return task;
    }

    private async Task<TableWriter> CreateAsync(string table, CancellationToken cancellationToken)
    {
        var schema = await Catalog.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false);
        var writer = _writerFactory?.Invoke(schema) ?? ItemWriterFactory.Create(_dynamo, schema, _options.DynamoDB, _metrics, backoff: null, _gate);
        var transactions = _options.DynamoDB.ExactlyOnce ? new TransactionalWriter(_dynamo, schema, _options.DynamoDB, _metrics, backoff: null, _gate) : null;
        return new TableWriter(writer, schema, transactions);
    }
}

/// <summary>A table's writer under the configured policy, its key schema, and with exactly-once its transactions.</summary>
public sealed record TableWriter(IItemWriter Writer, TableKeySchema Schema, TransactionalWriter? Transactions = null);
