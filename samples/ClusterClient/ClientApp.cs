using System.Globalization;
using DynamoWriter.Grains;
using DynamoWriter.Streaming.Redis.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Streams;
using StackExchange.Redis;

namespace DynamoWriter.Samples.ClusterClient;

/// <summary>
/// An Orleans client of a DynamoWriter cluster, referencing only its grain interfaces and its stream provider:
/// it publishes entries through the Orleans stream API, waits until the stream's writer grain has counted
/// them, and prints what the management grain reports.
/// </summary>
internal static class ClientApp
{
    public static async Task<int> RunAsync(ClientSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var redis = ConfigurationOptions.Parse(settings.Redis);
        using var host = new HostBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .UseOrleansClient(client =>
            {
                if (settings.GatewayPort is { } port)
                {
                    client.UseLocalhostClustering(port, settings.ServiceId, settings.ClusterId);
                }
                else
                {
                    client.UseRedisClustering(o => o.ConfigurationOptions = redis)
                        .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, settings.ServiceId));
                }

                // Publishing: the provider of the cluster, writing to the same Redis the silos read.
                client.AddDynamoWriterStreams(redis);
            })
            .Build();
        await host.StartAsync(cancellationToken);
        var cluster = host.Services.GetRequiredService<IClusterClient>();

        var writer = cluster.GetGrain<IStreamWriterGrain>(settings.Stream);
        var before = (await writer.GetStatusAsync()).Written;
        var stream = cluster.GetStreamProvider(StreamNamespaces.ProviderName).GetStream<StreamEntry>(StreamNamespaces.Entries, settings.Stream);
        // Redis assigns the stream and the ID of a published entry: only the fields travel.
        await stream.OnNextBatchAsync(Enumerable.Range(0, settings.Count)
            .Select(i => new StreamEntry(settings.Stream, "", [new("pk", $"client-{i}"), new("from", "cluster-client")]))
            .ToList());
        await output.WriteLineAsync($"published {settings.Count} entries to {settings.Stream}");

        // The writer grain's own totals move as the cluster writes (its checkpoint follows every sc.checkpoint.interval).
        StreamWriterStatus status;
        while ((status = await writer.GetStatusAsync()).Written - before < settings.Count)
        {
            await Task.Delay(100, cancellationToken);
        }

        await output.WriteLineAsync($"writer of {settings.Stream}: {status.Written} written by this activation, checkpoint at {status.Checkpoint.Position}, paused: {status.Paused}");
        var report = await cluster.GetGrain<IDynamoWriterManagementGrain>(IDynamoWriterManagementGrain.Key).GetStatusAsync();
        foreach (var s in report.Streams)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"stream {s.Stream}: length {s.Length}, pending {s.Pending}"));
        }

        foreach (var silo in report.Silos)
        {
            await output.WriteLineAsync($"silo {silo.Name} {silo.Address} {silo.Status}");
        }

        await host.StopAsync(cancellationToken);
        return 0;
    }
}
