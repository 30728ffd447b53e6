using DynamoWriter.Samples.ClusterClient;
using DynamoWriter.Tests;

namespace DynamoWriter.Samples.Tests;

/// <summary>
/// The two samples together: the EmbeddedHost app co-hosts the writer in its silo, and the ClusterClient sample,
/// an Orleans client that references only the abstractions and the provider, publishes through its gateway, asks
/// the writer grain for its totals and the management grain for the cluster's streams (a localhost silo has
/// no membership table to list silos from; ClusterTests-style Redis clusters do).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterClientTests
{
    [Fact]
    public async Task The_client_sample_publishes_through_the_co_hosting_sample_and_reads_its_status()
    {
        await using var host = await SampleHost.StartAsync("fields");
        var (clusterId, serviceId) = host.Ids;
        var settings = new ClientSettings(TestServers.RedisAddress, host.Stream, 250, host.GatewayPort, clusterId, serviceId);
        using var output = new StringWriter();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        Assert.Equal(0, await ClientApp.RunAsync(settings, output, deadline.Token));

        var items = await host.WaitForItemsAsync(250);
        Assert.All(Enumerable.Range(0, 250), i => Assert.Equal("cluster-client", items[$"client-{i}"]["from"].S));
        var printed = output.ToString();
        Assert.Contains($"published 250 entries to {host.Stream}", printed, StringComparison.Ordinal);
        Assert.Contains($"writer of {host.Stream}: 250 written", printed, StringComparison.Ordinal);
        Assert.Contains($"stream {host.Stream}: length 250, pending 0", printed, StringComparison.Ordinal);
    }
}
