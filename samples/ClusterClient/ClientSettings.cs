namespace DynamoWriter.Samples.ClusterClient;

/// <summary>Where the cluster is and what to publish.</summary>
/// <param name="Redis">The cluster's Redis (<c>sc.stream.redis.address</c>): the provider XADDs there.</param>
/// <param name="GatewayPort">A silo's gateway on this machine (a single localhost silo); null finds the gateways through Redis membership.</param>
internal sealed record ClientSettings(string Redis, string Stream, int Count, int? GatewayPort, string ClusterId, string ServiceId)
{
    /// <summary>From <c>--name value</c> pairs; the defaults are those of a local <c>./run.sh</c> cluster.</summary>
    public static ClientSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;
        return new ClientSettings(
            Get("redis", "127.0.0.1:6379"),
            Get("stream", "events"),
            int.Parse(Get("count", "100"), System.Globalization.CultureInfo.InvariantCulture),
            values.TryGetValue("gateway-port", out var port) ? int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) : null,
            Get("cluster-id", "dynamo-writer"),
            Get("service-id", "dynamo-writer"));
    }
}
