using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

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
        Multiplexer = Connect(redis, "dynamo-writer-bench");
        Redis = Multiplexer.GetDatabase();
        Dynamo = DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = dynamo });
    }

    public BenchSettings Settings { get; }
    public string RedisAddress { get; }
    public string DynamoEndpoint { get; }
    public IConnectionMultiplexer Multiplexer { get; }
    public IDatabase Redis { get; }
    public IAmazonDynamoDB Dynamo { get; }

    /// <summary>
    /// Restarts the DynamoDB server empty, where the bench started one that slows as it ages (dynalite); null
    /// where every measurement shares one server.
    /// </summary>
    public Func<Task>? RestartBackend { get; set; }

    /// <summary>Before a ceiling run or a drain: a fresh backend where <see cref="RestartBackend"/> is set.</summary>
    public Task FreshBackendAsync() => RestartBackend?.Invoke() ?? Task.CompletedTask;

    /// <summary>A name unique to this run and scenario.</summary>
    public string Name(string scenario) => $"bench-{_run}-{scenario}-{Interlocked.Increment(ref _sequence)}";

    public IReadOnlyList<string> StreamNames(string prefix) =>
        [.. Enumerable.Range(0, Settings.Streams).Select(i => $"{prefix}:s{i}")];

    public IReadOnlyList<StreamField> Fields(string key, int seq) =>
        [new("pk", key), new("seq", seq.ToString(CultureInfo.InvariantCulture)), new("source", "bench"), new("data", _filler)];

    /// <summary>The same fields as XADD arguments.</summary>
    public NameValueEntry[] XAddFields(string key, int seq) => [.. Fields(key, seq).Select(f => new NameValueEntry(f.Name, f.Value))];

    /// <summary>A multiplexer of the bench's own (the engine has its own connections).</summary>
    public static ConnectionMultiplexer Connect(string address, string clientName)
    {
        var options = ConfigurationOptions.Parse(address);
        options.ClientName = clientName;
        options.AbortOnConnectFail = false;
        // Filling a large backlog pipelines thousands of XADDs; the default 5 s would time out on 2 busy cores.
        options.AsyncTimeout = 60_000;
        options.SyncTimeout = 60_000;
        return ConnectionMultiplexer.Connect(options);
    }

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
        var inFlight = new List<Task<RedisValue>>(XAddWindow);
        for (var i = 0; i < count; i++)
        {
            inFlight.Add(Redis.StreamAddAsync(streams[i % streams.Count], XAddFields($"{keyPrefix}-{i}", i)));
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

    /// <summary>
    /// Moves filled streams onto the names a running engine reads, all in one transaction, so it finds the whole
    /// backlog at once rather than as it is being written.
    /// </summary>
    public async Task RenameAllAsync(IReadOnlyList<string> from, IReadOnlyList<string> to)
    {
        var rename = Redis.CreateTransaction();
        var renamed = from.Select((f, i) => rename.KeyRenameAsync(f, to[i])).ToList();
        if (!await rename.ExecuteAsync())
        {
            throw new InvalidOperationException("RENAME transaction was not executed");
        }

        await Task.WhenAll(renamed);
    }

    public async Task DeleteStreamsAsync(IReadOnlyList<string> streams)
    {
        try
        {
            await Redis.KeyDeleteAsync([.. streams.Select(s => (RedisKey)s), .. streams.Select(s => (RedisKey)(s + ":dlq"))]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
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
        o.Stream.Streams = [.. streams];
        o.DynamoDB.Endpoint = DynamoEndpoint;
        o.DynamoDB.TableName = table;
        o.DynamoDB.CreateTable = true;
        o.DynamoDB.WritePolicy = policy;
        o.Checkpoint.TableName = CheckpointTable;
        o.Http.Port = 0;
        // One silo of its own per host; the ids name its consumers (ServiceId-q{queue}) and membership.
        o.Orleans.Clustering = OrleansOptions.LocalhostClustering;
        o.Orleans.ClusterId = table;
        o.Orleans.ServiceId = table;
        o.Orleans.SiloPort = 0;
        o.Orleans.GatewayPort = 0;
        return o;
    }

    public string CheckpointTable => $"bench-{_run}-checkpoints";

    /// <summary>
    /// The engine as a host would run it: a Generic Host with one localhost Orleans silo on free ports and
    /// AddDynamoWriter, started; optionally with a writer replacing DynamoDB (TableWriters picks it up).
    /// </summary>
    public static async Task<IHost> StartEngineAsync(DynamoWriterOptions options, Func<TableKeySchema, IItemWriter>? writers = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // With several silos started one after another in one process, the watchdog reports a participant
        // "not completed for" longer than the process has lived (40 min in a 2 min run): noise in the table.
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: options.Orleans.ServiceId, clusterId: options.Orleans.ClusterId);
            silo.AddDynamoWriter(options.CopyTo);
            if (writers is not null)
            {
                silo.Services.AddSingleton(writers);
            }
        });

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The silo's counts since start: what the scenarios read progress from.</summary>
    public static WriterTotals Totals(IHost host) => host.Services.GetRequiredService<WriterTotals>();

    /// <summary>
    /// Waits until the engine acknowledged <paramref name="count"/> entries; throws after <paramref name="timeout"/>
    /// without progress. Returns when the first entry was read (a Stopwatch timestamp, seen at a 5 ms poll).
    /// </summary>
    public static async Task<long> WaitAcknowledgedAsync(WriterTotals totals, long count, TimeSpan timeout, Action<long>? onFirstRead = null)
    {
        var last = -1L;
        var lastChange = Stopwatch.GetTimestamp();
        var firstRead = 0L;
        while (true)
        {
            var acked = totals.Acknowledged;
            if (firstRead == 0 && totals.Read > 0)
            {
                firstRead = Stopwatch.GetTimestamp();
                onFirstRead?.Invoke(firstRead);
            }

            if (acked >= count)
            {
                return firstRead == 0 ? Stopwatch.GetTimestamp() : firstRead;
            }

            if (acked != last)
            {
                last = acked;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > timeout)
            {
                throw new TimeoutException($"engine stuck at {acked}/{count} acknowledged: {Describe(totals)}");
            }

            await Task.Delay(5);
        }
    }

    public static string Describe(WriterTotals t) =>
        $"read {t.Read:N0}, written {t.Written:N0}, skipped {t.Skipped:N0}, dead-lettered {t.DeadLettered:N0}, acknowledged {t.Acknowledged:N0}";

    /// <summary>Port 0 means any free port; Orleans needs the number up front to advertise it.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task StopAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }

    /// <summary>
    /// The engine's total concurrent DynamoDB requests over <see cref="BenchSettings.Streams"/> streams: each
    /// stream's writer grain writes one delivered batch (up to readCount entries) at a time, with at most
    /// maxInFlight requests: overwrite ceil(readCount / batchSize) BatchWriteItems, conditional one PutItem per entry;
    /// siloMaxInFlight bounds the sum.
    /// </summary>
    public int EngineConcurrency(WritePolicy policy)
    {
        var d = new DynamoDbOptions { WritePolicy = policy };
        var readCount = new StreamOptions().ReadCount;
        var requestsPerBatch = policy == WritePolicy.Overwrite
            ? (readCount + d.BatchSize - 1) / Math.Max(1, d.BatchSize)
            : readCount;
        var streams = Math.Max(1, Math.Min(d.MaxInFlight, requestsPerBatch)) * Settings.Streams;
        return d.SiloMaxInFlight > 0 ? Math.Min(d.SiloMaxInFlight, streams) : streams;
    }

    public async ValueTask DisposeAsync()
    {
        await Multiplexer.DisposeAsync();
        Dynamo.Dispose();
    }
}
