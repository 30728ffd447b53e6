using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

// DynamoWriter.OldClient REDIS CLUSTER_ID SERVICE_ID STREAM: prints "written N position P" as the old contract reads it.
var (redis, clusterId, serviceId, stream) = (args[0], args[1], args[2], args[3]);
using var host = new HostBuilder()
    .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
    .UseOrleansClient(client => client
        .UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis))
        .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId)))
    .Build();
await host.StartAsync();
var status = await host.Services.GetRequiredService<IClusterClient>().GetGrain<OldRelease.IStreamWriterGrain>(stream).GetStatusAsync();
Console.WriteLine($"written {status.Written} position {status.Checkpoint.Position} paused {status.Paused}");
await host.StopAsync();
