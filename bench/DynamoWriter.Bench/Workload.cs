using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.DynamoDb;
using DynamoWriter.Options;
using DynamoWriter.Pipeline.Engine;
using DynamoWriter.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Bench;

/// <summary>
/// The shared shape of every scenario: entries of four fields (<c>pk</c>, <c>seq</c>, <c>source</c>,
/// <c>data</c> = payload filler) spread round-robin over a few streams, and tables with hash key <c>pk</c> (S).
/// </summary>
internal sealed class Workload : IAsyncDisposable
{
    private const int XAddWindow = 1024;
    private readonly string _run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    private readonly string _filler;
    private int _sequence;

    public Workload(BenchSettings settings, string redis, string dynamo)
    {
        Settings = settings;
        RedisAddress = redis;
        DynamoEndpoint = dynamo;
        _filler = new string('x', settings.PayloadBytes);
        Redis = new RedisClient(new RedisClientOptions { Address = redis, ClientName = "dynamo-writer-bench" });
        Dynamo = DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = dynamo });
    }

    public BenchSettings Settings { get; }
    public string RedisAddress { get; }
    public string DynamoEndpoint { get; }
    public RedisClient Redis { get; }
    public IAmazonDynamoDB Dynamo { get; }

    /// <summary>A name unique to this run and scenario.</summary>
    public string Name(string scenario) => $"bench-{_run}-{scenario}-{Interlocked.Increment(ref _sequence)}";

    public IReadOnlyList<string> StreamNames(string prefix) =>
        [.. Enumerable.Range(0, Settings.Streams).Select(i => $"{prefix}:s{i}")];

    public IReadOnlyList<StreamField> Fields(string key, int seq) =>
        [new("pk", key), new("seq", seq.ToString(CultureInfo.InvariantCulture)), new("source", "bench"), new("data", _filler)];

    /// <summary>Entries as the engine would read them (no Redis involved), for the backend ceilings.</summary>
    public IEnumerable<StreamEntry> Entries(string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new StreamEntry($"{prefix}:s{i % Settings.Streams}", $"{1_700_000_000_000L + i}-0", Fields($"{prefix}-{i}", i));
        }
    }

    /// <summary>XADDs <paramref name="count"/> entries round-robin over <paramref name="streams"/>, pipelined. Returns entries/s.</summary>
    public async Task<double> FillAsync(IReadOnlyList<string> streams, string keyPrefix, int count, Action<int>? progress = null)
    {
        var started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task<string>>(XAddWindow);
        for (var i = 0; i < count; i++)
        {
            inFlight.Add(Redis.XAddAsync(streams[i % streams.Count], Fields($"{keyPrefix}-{i}", i)));
            if (inFlight.Count == XAddWindow)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
                progress?.Invoke(i + 1);
            }
        }

        await Task.WhenAll(inFlight);
        progress?.Invoke(count);
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    public async Task DeleteStreamsAsync(IReadOnlyList<string> streams)
    {
        try
        {
            await Redis.DelAsync([.. streams, .. streams.Select(s => s + ":dlq")]);
        }
        catch (RedisException)
        {
        }
    }

    /// <summary>Creates tables (hash key pk, S) and waits until they are ACTIVE.</summary>
    public async Task CreateTablesAsync(params string[] tables)
    {
        // dynalite can be busy for seconds after a large table was deleted: try again rather than fail the scenario.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var catalog = new TableCatalog(Dynamo, new DynamoDbOptions { Endpoint = DynamoEndpoint, CreateTable = true });
                await catalog.EnsureTablesAsync(tables, CancellationToken.None);
                return;
            }
            catch (Exception e) when (attempt < 6 && e is TimeoutException or OperationCanceledException or AmazonDynamoDBException or HttpRequestException)
            {
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt));
            }
        }
    }

    public async Task DeleteTableAsync(string table)
    {
        try
        {
            await Dynamo.DeleteTableAsync(table);
        }
        catch (Exception e) when (e is ResourceNotFoundException or TimeoutException or OperationCanceledException or HttpRequestException)
        {
            // Best effort: a table left behind only costs the local server memory.
        }
    }

    /// <summary>Engine options for a fresh group and table on the bench servers, defaults otherwise.</summary>
    public DynamoWriterOptions EngineOptions(IReadOnlyList<string> streams, string table, WritePolicy policy)
    {
        var o = new DynamoWriterOptions();
        o.Stream.Redis.Address = RedisAddress;
        o.Stream.Group = table + "-g";
        o.Stream.Consumer = table + "-c";
        o.Stream.Streams = [.. streams];
        o.DynamoDB.Endpoint = DynamoEndpoint;
        o.DynamoDB.TableName = table;
        o.DynamoDB.CreateTable = true;
        o.DynamoDB.WritePolicy = policy;
        o.Checkpoint.TableName = CheckpointTable;
        o.Http.Port = 0;
        return o;
    }

    public string CheckpointTable => $"bench-{_run}-checkpoints";

    /// <summary>The engine in a Generic Host via AddDynamoWriter, started; optionally with a writer replacing DynamoDB.</summary>
    public static async Task<IHost> StartEngineAsync(DynamoWriterOptions options, Func<TableKeySchema, IItemWriter>? writers = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDynamoWriter(options.CopyTo);
        if (writers is not null)
        {
            builder.Services.AddSingleton(writers);
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static DynamoWriterEngine Engine(IHost host) => host.Services.GetRequiredService<DynamoWriterEngine>();

    /// <summary>Waits until the engine acknowledged <paramref name="count"/> entries; throws after <paramref name="timeout"/> without progress.</summary>
    public static async Task WaitAcknowledgedAsync(DynamoWriterEngine engine, long count, TimeSpan timeout)
    {
        var last = -1L;
        var lastChange = Stopwatch.GetTimestamp();
        while (true)
        {
            var acked = engine.EntriesAcknowledged;
            if (acked >= count)
            {
                return;
            }

            if (acked != last)
            {
                last = acked;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > timeout)
            {
                throw new TimeoutException($"engine stuck at {acked}/{count} acknowledged: {engine.DescribePartitions()}");
            }

            await Task.Delay(5);
        }
    }

    public static async Task StopAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }

    /// <summary>
    /// The engine's total concurrent DynamoDB requests over <see cref="BenchSettings.Streams"/> partitions
    /// (StreamPartition.ConcurrentBatches: overwrite min(maxInFlight, 16) batch requests per partition; conditional
    /// maxInFlight / batchSize batches of batchSize single PutItems each).
    /// </summary>
    public int EngineConcurrency(WritePolicy policy)
    {
        var d = new DynamoDbOptions { WritePolicy = policy };
        var perPartition = policy == WritePolicy.Overwrite
            ? Math.Max(1, Math.Min(d.MaxInFlight, 16))
            : Math.Max(1, d.MaxInFlight / Math.Max(1, d.BatchSize)) * d.BatchSize;
        return perPartition * Settings.Streams;
    }

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        Dynamo.Dispose();
    }
}
