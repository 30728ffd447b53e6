using DynamoWriter.Tests;

namespace DynamoWriter.Silo.Tests;

/// <summary>The SC_ environment a test hands to the service process: the Go service's configuration style.</summary>
internal static class ServiceEnvironment
{
    /// <summary>
    /// One silo of its own: localhost clustering, free silo and gateway ports, a cluster id no other test
    /// uses. Tests where several processes form one cluster call <see cref="JoinCluster"/>.
    /// </summary>
    public static Dictionary<string, string> For(string stream, string group, string table) => new(StringComparer.Ordinal)
    {
        ["SC_STREAM_REDIS_ADDRESS"] = TestServers.RedisAddress,
        ["SC_STREAM_STREAMS"] = stream,
        ["SC_STREAM_GROUP"] = group,
        ["SC_DYNAMODB_ENDPOINT"] = TestServers.DynamoEndpoint,
        ["SC_DYNAMODB_TABLENAME"] = table,
        ["SC_DYNAMODB_CREATETABLE"] = "true",
        ["SC_HTTP_PORT"] = "0",
        ["SC_LOG_LEVEL"] = "info",
        ["SC_ORLEANS_CLUSTERING"] = "localhost",
        ["SC_ORLEANS_CLUSTERID"] = TestServers.Unique("cluster"),
        ["SC_ORLEANS_SILOPORT"] = "0",
        ["SC_ORLEANS_GATEWAYPORT"] = "0",
    };

    /// <summary>Membership in the streams' Redis under <paramref name="clusterId"/>, for processes that must form one cluster.</summary>
    public static Dictionary<string, string> JoinCluster(this Dictionary<string, string> environment, string clusterId)
    {
        environment["SC_ORLEANS_CLUSTERING"] = "redis";
        environment["SC_ORLEANS_CLUSTERID"] = clusterId;
        // Silos on one machine reach each other on loopback (the default would be this host's own address).
        environment["SC_ORLEANS_ADVERTISEDADDRESS"] = "127.0.0.1";
        return environment;
    }
}
