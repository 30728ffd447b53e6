namespace DynamoWriter.Options;

/// <summary>The <c>sc.orleans</c> section: how the silo joins its cluster and how streams are spread over queues.</summary>
public sealed class OrleansOptions
{
    public const string RedisClustering = "redis";
    public const string LocalhostClustering = "localhost";
    public const string KubernetesClustering = "kubernetes";
    public const string DefaultClustering = RedisClustering;
    public const string DefaultClusterId = "dynamo-writer";
    public const string DefaultServiceId = "dynamo-writer";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;
    public const int DefaultQueues = 8;

    /// <summary>
    /// <c>redis</c> (membership in the Redis of the streams), <c>kubernetes</c> (the same membership, plus
    /// Orleans' Kubernetes hosting: silo named after its pod, advertised at the pod IP, defunct pods deleted) or
    /// <c>localhost</c> (a single silo); case-insensitive.
    /// </summary>
    public string Clustering { get; set; } = DefaultClustering;

    /// <summary>True when <see cref="Clustering"/> is <c>localhost</c>, in any case (the validator allows only the three).</summary>
    public bool UsesLocalhostClustering => string.Equals(Clustering, LocalhostClustering, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <see cref="Clustering"/> is <c>kubernetes</c>, in any case.</summary>
    public bool UsesKubernetesHosting => string.Equals(Clustering, KubernetesClustering, StringComparison.OrdinalIgnoreCase);

    public string ClusterId { get; set; } = DefaultClusterId;

    public string ServiceId { get; set; } = DefaultServiceId;

    /// <summary>Silo-to-silo port; 0 picks a free port at start.</summary>
    public int SiloPort { get; set; } = DefaultSiloPort;

    /// <summary>Client gateway port; 0 picks a free port at start.</summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>
    /// The IP address other silos and clients reach this silo at (published in the membership table); empty
    /// means this host's own address, as Orleans picks it. <c>127.0.0.1</c> for silos on one machine (what
    /// <c>./run.sh</c> sets); in Kubernetes, the pod IP.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>Orleans queues the Redis streams are spread over (by a stable hash of the stream key).</summary>
    public int Queues { get; set; } = DefaultQueues;

    /// <summary>
    /// Serves the Orleans dashboard under <c>/dashboard</c> on <c>sc.http.port</c>. Off by default: the
    /// dashboard has no authentication of its own, so it is for a port that is not reachable from outside.
    /// </summary>
    public bool Dashboard { get; set; }

    /// <summary>Failure detection: how soon a dead silo is declared dead and its queues move.</summary>
    public MembershipOptions Membership { get; set; } = new();

    /// <summary>TLS between silos and on the gateway.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();
}
