using System.Net;
using DynamoWriter.Options;
using DynamoWriter.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace DynamoWriter.Silo.Tests.Hosting;

public sealed class SiloClusteringTests
{
    [Fact]
    public void Membership_keys_reach_orleans()
    {
        var from = new MembershipOptions
        {
            ProbeTimeout = TimeSpan.FromSeconds(1),
            NumMissedProbesLimit = 2,
            NumVotesForDeathDeclaration = 1,
            TableRefreshTimeout = TimeSpan.FromSeconds(4),
            DeathVoteExpirationTimeout = TimeSpan.FromSeconds(50),
            IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(6),
        };
        var to = new ClusterMembershipOptions();

        SiloClustering.ApplyMembership(from, to);

        Assert.Equal(TimeSpan.FromSeconds(1), to.ProbeTimeout);
        Assert.Equal(2, to.NumMissedProbesLimit);
        Assert.Equal(1, to.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(4), to.TableRefreshTimeout);
        Assert.Equal(TimeSpan.FromSeconds(50), to.DeathVoteExpirationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(6), to.IAmAliveTablePublishTimeout);
    }

    [Fact]
    public void Defaults_other_than_probe_and_refresh_are_orleans_own()
    {
        var orleans = new ClusterMembershipOptions();

        Assert.Equal(MembershipOptions.DefaultNumMissedProbesLimit, orleans.NumMissedProbesLimit);
        Assert.Equal(MembershipOptions.DefaultNumVotesForDeathDeclaration, orleans.NumVotesForDeathDeclaration);
        Assert.Equal(MembershipOptions.DefaultDeathVoteExpirationTimeout, orleans.DeathVoteExpirationTimeout);
        Assert.Equal(MembershipOptions.DefaultIAmAliveTablePublishTimeout, orleans.IAmAliveTablePublishTimeout);
    }

    [Fact]
    public void Kubernetes_hosting_takes_the_pod_identity_keeps_membership_in_redis_and_the_configured_ids()
    {
        // What the Deployment's fieldRefs give the container; no other test runs Kubernetes hosting, which alone reads them.
        var variables = new Dictionary<string, string>
        {
            [KubernetesHostingOptions.PodNameEnvironmentVariable] = "dynamo-writer-5d8f-x2x9q",
            [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "streams",
            [KubernetesHostingOptions.PodIPEnvironmentVariable] = "10.1.2.3",
            [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = "from-the-pod-label",
        };
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            var options = new DynamoWriterOptions();
            options.Orleans.Clustering = "Kubernetes";
            // Kubernetes hosting leaves an address Orleans already picked alone, so the Deployment sets this from the pod IP too.
            options.Orleans.AdvertisedAddress = "10.1.2.4";
            var builder = Host.CreateApplicationBuilder();
            builder.UseOrleans(silo => SiloClustering.Configure(silo, options));
            using var host = builder.Build();
            var services = host.Services;

            Assert.Equal("dynamo-writer-5d8f-x2x9q", services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            var endpoints = services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Parse("10.1.2.4"), endpoints.AdvertisedIPAddress);
            Assert.Equal(OrleansOptions.DefaultSiloPort, endpoints.SiloPort);
            Assert.Equal(OrleansOptions.DefaultGatewayPort, endpoints.GatewayPort);
            Assert.Equal(new IPEndPoint(IPAddress.Any, OrleansOptions.DefaultSiloPort), endpoints.SiloListeningEndpoint);
            // sc.orleans.* is what consumer names and grain state use, so it wins over the variables.
            Assert.Equal(OrleansOptions.DefaultClusterId, services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
            // Kubernetes hosting is no membership provider: the table stays in Redis.
            Assert.Contains("Redis", services.GetRequiredService<IMembershipTable>().GetType().FullName, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }
}
