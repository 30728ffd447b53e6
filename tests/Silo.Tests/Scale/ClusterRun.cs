using System.Diagnostics;
using System.Globalization;
using DynamoWriter.Tests;
using StackExchange.Redis;
using static DynamoWriter.Silo.Tests.Scale.ClusterProbes;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>
/// Writer processes joining and leaving one cluster while a producer keeps adding entries, so every
/// membership change happens with entries in flight; at the end every entry produced must be written.
/// </summary>
internal sealed class ClusterRun : IAsyncDisposable
{
    /// <summary>
    /// The tests that run clusters of several processes run one at a time: on two cores, two such clusters
    /// at once starve each other's probes and stops, and their timings would measure only that.
    /// </summary>
    public const string Collection = "Multi-process clusters";

    public const int QueueCount = 8;

    /// <summary>The default <c>sc.shutdownTimeout</c>, set explicitly because the tests assert against it.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);
    private const int StreamCount = 8;

    private readonly string _group = TestServers.Unique("g");
    private readonly string _table = TestServers.Unique("tbl");
    private readonly string _cluster = TestServers.Unique("cluster");
    private readonly ConnectionMultiplexer _connection = TestRedis.Connect(TestServers.RedisAddress);
    private readonly CancellationTokenSource _stopProducing = new();
    private readonly List<ServiceProcess> _nodes = [];
    private readonly Dictionary<ServiceProcess, int> _httpPorts = [];
    private Task _producer = Task.CompletedTask;
    private int _produced;

    public ClusterRun()
    {
        var prefix = TestServers.Unique("members");
        Streams = [.. Enumerable.Range(0, StreamCount).Select(i => $"{prefix}:{i}")];
        Pattern = $"{prefix}:*";
    }

    public string[] Streams { get; }

    private string Pattern { get; }

    private IDatabase Redis => _connection.GetDatabase();

    public ServiceProcess Start()
    {
        var env = ServiceEnvironment.For(Pattern, _group, _table).JoinCluster(_cluster);
        env["SC_ORLEANS_QUEUES"] = QueueCount.ToString(CultureInfo.InvariantCulture);
        env["SC_STREAM_READCOUNT"] = "100";
        env["SC_STREAM_CLAIMINTERVAL"] = "1s";
        env["SC_STREAM_CLAIMMINIDLE"] = "3s";
        env["SC_CHECKPOINT_TABLENAME"] = _table + "-cp";
        env["SC_SHUTDOWNTIMEOUT"] = $"{ShutdownTimeout.TotalSeconds:F0}s";
        var port = Net.FreePort();
        env["SC_HTTP_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        var node = ServiceProcess.Start(env, "run");
        _nodes.Add(node);
        _httpPorts[node] = port;
        return node;
    }

    /// <summary>The hand-over metrics of a running process, scraped from its /metrics.</summary>
    public async Task<Handovers> HandoversAsync(ServiceProcess node)
    {
        using var client = new Operations.OperationsClient(_httpPorts[node]);
        return Handovers.From(await client.ScrapeAsync());
    }

    /// <summary>About <paramref name="perSecond"/> entries a second, spread over the streams, until <see cref="StopProducingAsync"/>.</summary>
    public void StartProducing(int perSecond)
    {
        var token = _stopProducing.Token;
        _producer = Task.Run(async () =>
        {
            const int BatchesPerSecond = 20;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / BatchesPerSecond));
            while (await timer.WaitForNextTickAsync(CancellationToken.None) && !token.IsCancellationRequested)
            {
                var batch = Enumerable.Range(_produced, perSecond / BatchesPerSecond).Select(i =>
                {
                    var pk = i.ToString(CultureInfo.InvariantCulture);
                    return Redis.StreamAddAsync(Streams[i % StreamCount], [new("pk", pk), new("stream", Streams[i % StreamCount])]);
                }).ToList();
                await Task.WhenAll(batch);
                _produced += batch.Count;
            }
        }, CancellationToken.None);
    }

    public async Task<int> StopProducingAsync()
    {
        await _stopProducing.CancelAsync();
        await _producer;
        return _produced;
    }

    /// <summary>
    /// Waits until <paramref name="readers"/> between them read every queue exactly once, each at least one,
    /// and returns how long that took and which reader read each queue (consumer) then. The owners come
    /// from the same reading of the logs as the check: read again a moment later, a queue being handed
    /// over can show in two logs at once.
    /// </summary>
    public async Task<Balance> WaitForBalanceAsync(IReadOnlyList<ServiceProcess> readers, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var held = await readers[0].WaitWhileRunningAsync(() => Task.FromResult(readers.Select(r => QueuesHeld(r.Output)).ToList()),
            held => held.All(h => h.Count > 0) && held.Sum(h => h.Count) == QueueCount && held.SelectMany(h => h).Distinct().Count() == QueueCount,
            timeout, $"{readers.Count} processes to share the {QueueCount} queues");
        var owners = readers.Zip(held).SelectMany(r => r.Second.Select(q => (q, r.First))).ToDictionary(o => o.q, o => o.First);
        return new Balance(clock.Elapsed, owners);
    }

    public sealed record Balance(TimeSpan Elapsed, Dictionary<string, ServiceProcess> Owners);

    /// <summary>The queues (consumers) that have read a stream: the hash maps no stream to some of the queues.</summary>
    public async Task<HashSet<string>> QueuesWithStreamsAsync()
    {
        var queues = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stream in Streams)
        {
            if (await TestRedis.GroupAsync(Redis, stream, _group) is not null)
            {
                queues.UnionWith((await Redis.StreamConsumerInfoAsync(stream, _group)).Select(c => c.Name.ToString()));
            }
        }

        return queues;
    }

    /// <summary>
    /// After the producer stopped: every entry produced is acknowledged and in DynamoDB once, nothing is
    /// pending, nothing dead-lettered. Returns the time it took to get there.
    /// </summary>
    public async Task<TimeSpan> AssertAllWrittenAsync(ServiceProcess watch, int produced, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        await watch.WaitWhileRunningAsync(() => OpenEntriesAsync(Redis, Streams, _group), n => n == 0, timeout, "every entry acknowledged");
        var drained = clock.Elapsed;
        using var dynamo = TestTables.Client();
        var keys = (await TestTables.ScanAllAsync(dynamo, _table)).Select(i => int.Parse(i["pk"].S, CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, produced), keys);
        foreach (var stream in Streams)
        {
            Assert.Equal(0, (await Redis.StreamPendingAsync(stream, _group)).PendingMessageCount);
            Assert.Equal(0, await Redis.KeyExistsAsync(stream + ":dlq") ? await Redis.StreamLengthAsync(stream + ":dlq") : 0);
        }

        return drained;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProducingAsync();
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _stopProducing.Dispose();
        await _connection.DisposeAsync();
    }
}

[CollectionDefinition(ClusterRun.Collection)]
public sealed class MultiProcessClusters;
