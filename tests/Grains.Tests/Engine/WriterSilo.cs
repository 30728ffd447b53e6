using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.Writer;
using DynamoWriter.Options;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Grains.Tests.Engine;

/// <summary>
/// A silo with DynamoWriter in a Generic Host, pointed at the test servers, with unique names and free
/// ports per test. Every log line is kept (<see cref="Logs"/>); the totals stay readable after the stop.
/// </summary>
internal sealed class WriterSilo : IAsyncDisposable
{
    private bool _stopped;

    private WriterSilo(IHost host, DynamoWriterOptions options, LogSink logs)
    {
        Host = host;
        Options = options;
        Logs = logs;
        Totals = host.Services.GetRequiredService<WriterTotals>();
        Context = host.Services.GetRequiredService<WriterContext>();
        SiloName = host.Services.GetRequiredService<ILocalSiloDetails>().Name;
    }

    public IHost Host { get; }
    public DynamoWriterOptions Options { get; }
    public LogSink Logs { get; }
    public WriterTotals Totals { get; }

    /// <summary>The writer grains' shared context (fault injection: <see cref="WriterContext.SkipSubscription"/>).</summary>
    public WriterContext Context { get; }

    public string SiloName { get; }

    /// <summary>The consumers (one per queue) this silo's receivers read at the moment.</summary>
    public IReadOnlyList<string> Queues => Host.Services.GetRequiredKeyedService<IRedisStreamCatalog>(StreamNamespaces.ProviderName).Queues;

    /// <summary>Where silos joining this one's cluster find it: the first silo's endpoint, passed on.</summary>
    public System.Net.IPEndPoint PrimaryEndpoint { get; private init; } = null!;

    /// <summary>Options for a fresh group, table and checkpoint table on the shared servers, reading fast.</summary>
    public static DynamoWriterOptions NewOptions(params string[] streams)
    {
        var options = new DynamoWriterOptions();
        options.Stream.Redis.Address = TestServers.RedisAddress;
        options.Stream.Group = TestServers.Unique("g");
        options.Stream.Streams = [.. streams];
        options.Stream.PollInterval = TimeSpan.FromMilliseconds(20);
        options.DynamoDB.Endpoint = TestServers.DynamoEndpoint;
        options.DynamoDB.TableName = TestServers.Unique("tbl");
        options.DynamoDB.CreateTable = true;
        options.DynamoDB.FlushInterval = TimeSpan.FromMilliseconds(20);
        options.Checkpoint.TableName = TestServers.Unique("cp");
        options.Checkpoint.Interval = TimeSpan.FromSeconds(1);
        options.Http.Port = 0;
        options.Orleans.Clustering = OrleansOptions.LocalhostClustering;
        options.Orleans.ServiceId = TestServers.Unique("svc");
        options.Orleans.ClusterId = TestServers.Unique("cl");
        options.Orleans.Queues = 2;
        options.ShutdownTimeout = TimeSpan.FromSeconds(20);
        return options;
    }

    /// <param name="joining">
    /// With localhost clustering, a silo already running whose cluster this one joins (the first silo is the primary,
    /// and must stay up). With <c>sc.orleans.clustering: redis</c> silos with the same ids join through Redis.
    /// </param>
    public static async Task<WriterSilo> StartAsync(DynamoWriterOptions options, Action<ISiloBuilder>? configure = null, LogSink? logs = null, WriterSilo? joining = null)
    {
        logs ??= new LogSink();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddProvider(logs);
        var siloPort = Net.FreePort();
        var gatewayPort = Net.FreePort();
        builder.UseOrleans(silo =>
        {
            if (options.Orleans.Clustering == OrleansOptions.RedisClustering)
            {
                // Membership in the test Redis: no primary silo, so any member may leave and the rest go on.
                silo.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(options.Stream.Redis.Address))
                    .Configure<Orleans.Configuration.ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (options.Orleans.ClusterId, options.Orleans.ServiceId))
                    .ConfigureEndpoints(System.Net.IPAddress.Loopback, siloPort, gatewayPort);
            }
            else
            {
                silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: gatewayPort, primarySiloEndpoint: joining?.PrimaryEndpoint,
                    serviceId: options.Orleans.ServiceId, clusterId: options.Orleans.ClusterId);
            }

            silo.AddDynamoWriter(options.CopyTo);
            configure?.Invoke(silo);
        });
        var host = builder.Build();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await host.StartAsync(cts.Token);
        }

        return new WriterSilo(host, options, logs) { PrimaryEndpoint = joining?.PrimaryEndpoint ?? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, siloPort) };
    }

    /// <summary>Graceful stop: reading stops, grains deactivate (final checkpoints written), the silo leaves.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        await Host.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
    }
}
