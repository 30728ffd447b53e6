using System.Net;
using System.Net.Sockets;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Options;
using Orleans.Configuration;

namespace DynamoWriter.Silo.Hosting;

/// <summary>
/// How the <c>dynamo-writer</c> silo joins its cluster: membership in the Redis of the streams (so more
/// silos need no extra infrastructure), with Orleans' Kubernetes hosting on top for pod identity (it is no
/// membership provider itself), or a single localhost silo, on the configured ports.
/// </summary>
internal static class SiloClustering
{
    public static void Configure(ISiloBuilder silo, DynamoWriterOptions options)
    {
        var orleans = options.Orleans;
        if (orleans.UsesKubernetesHosting)
        {
            // Before our ClusterOptions below, which then win over its ORLEANS_SERVICE_ID/ORLEANS_CLUSTER_ID: consumer
            // names and grain state follow sc.orleans.serviceId, and the manifest's pod labels are kept equal to it.
            silo.UseKubernetesHosting();
        }

        silo.Configure<ClusterOptions>(c =>
        {
            c.ClusterId = orleans.ClusterId;
            c.ServiceId = orleans.ServiceId;
        });
        silo.Configure<ClusterMembershipOptions>(m => ApplyMembership(orleans.Membership, m));
        ClusterTls.Configure(silo, orleans.Tls);

        var siloPort = orleans.SiloPort == 0 ? FreePort() : orleans.SiloPort;
        var gatewayPort = orleans.GatewayPort == 0 ? FreePort() : orleans.GatewayPort;
        if (orleans.UsesLocalhostClustering)
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
            return;
        }

        // The Redis address, ACL user, password, TLS and database of the streams apply to membership too.
        var redis = DynamoWriterRedis.For(options.Stream.EffectiveServer, "dynamo-writer:membership");
        silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
        if (string.IsNullOrWhiteSpace(orleans.AdvertisedAddress))
        {
            silo.ConfigureEndpoints(siloPort, gatewayPort, listenOnAnyHostAddress: true); // this host's address, as Orleans picks it
            return;
        }

        var advertised = IPAddress.Parse(orleans.AdvertisedAddress);
        silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
    }

    /// <summary>
    /// The failure-detection settings of <c>sc.orleans.membership</c>; the rest of Orleans' membership
    /// options keep Orleans' defaults.
    /// </summary>
    internal static void ApplyMembership(MembershipOptions from, ClusterMembershipOptions to)
    {
        to.ProbeTimeout = from.ProbeTimeout;
        to.NumMissedProbesLimit = from.NumMissedProbesLimit;
        to.NumVotesForDeathDeclaration = from.NumVotesForDeathDeclaration;
        to.TableRefreshTimeout = from.TableRefreshTimeout;
        to.DeathVoteExpirationTimeout = from.DeathVoteExpirationTimeout;
        to.IAmAliveTablePublishTimeout = from.IAmAliveTablePublishTimeout;
    }

    /// <summary>Port 0 means any free port; Orleans needs the number up front to advertise it.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
