using System.Globalization;
using DynamoWriter.Streaming.Redis.Hosting;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Streams;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Clients;

/// <summary>
/// An Orleans client that references only the abstractions and the provider publishes through the cluster's
/// stream provider; the silo (a real process) writes every entry to DynamoDB.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClientPublishTests
{
    private const int Total = 2_000;

    [Fact]
    public async Task A_client_publishes_two_thousand_entries_and_the_cluster_writes_them_all()
    {
        var stream = TestServers.Unique("client");
        var table = TestServers.Unique("tbl");
        var cluster = TestServers.Unique("cluster");
        var env = ServiceEnvironment.For(stream, TestServers.Unique("g"), table).JoinCluster(cluster);
        env["SC_CHECKPOINT_TABLENAME"] = table + "-cp";
        await using var silo = ServiceProcess.Start(env, "run");

        var redis = ConfigurationOptions.Parse(TestServers.RedisAddress);
        using var client = await silo.WaitWhileRunningAsync(
            () => TryConnectAsync(cluster, redis), c => c is not null, TimeSpan.FromSeconds(90), "a client connected through the silo's gateway");
        var entries = client!.Services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(StreamNamespaces.ProviderName)
            .GetStream<StreamEntry>(StreamNamespaces.Entries, stream);
        for (var i = 0; i < Total; i += 100)
        {
            // The stream and ID of a published entry are Redis's to assign; only the fields travel.
            await entries.OnNextBatchAsync(Enumerable.Range(i, 100)
                .Select(n => new StreamEntry(stream, "", [new("pk", n.ToString(CultureInfo.InvariantCulture)), new("from", "client")]))
                .ToList());
        }

        using var dynamo = TestTables.Client();
        await silo.WaitWhileRunningAsync(() => TestTables.CountAsync(dynamo, table), n => n == Total, TimeSpan.FromSeconds(90), $"{Total} items in {table}");
        var items = await TestTables.ScanAllAsync(dynamo, table);
        Assert.Equal(Enumerable.Range(0, Total).Select(n => n.ToString(CultureInfo.InvariantCulture)).Order(), items.Select(i => i["pk"].S).Order());
        Assert.All(items, i => Assert.Equal("client", i["from"].S));
        await client.StopAsync();
    }

    /// <summary>What an application does: membership in the cluster's Redis finds the gateways. Null until a gateway answers.</summary>
    private static async Task<IHost?> TryConnectAsync(string cluster, ConfigurationOptions redis)
    {
        var host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseRedisClustering(o => o.ConfigurationOptions = redis)
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster;
                    o.ServiceId = Options.OrleansOptions.DefaultServiceId;
                })
                .AddDynamoWriterStreams(redis))
            .Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch (OrleansException)
        {
            host.Dispose();
            return null;
        }
    }
}
