using DynamoWriter.Tests;

namespace DynamoWriter.Service.Tests;

/// <summary>The SC_ environment a test hands to the service process: the Go service's configuration style.</summary>
internal static class ServiceEnvironment
{
    public static Dictionary<string, string> For(string stream, string group, string table) => new(StringComparer.Ordinal)
    {
        ["SC_STREAM_REDIS_ADDRESS"] = TestServers.RedisAddress,
        ["SC_STREAM_STREAMS"] = stream,
        ["SC_STREAM_GROUP"] = group,
        ["SC_STREAM_CONSUMER"] = TestServers.Unique("c"),
        ["SC_STREAM_BLOCK"] = "200ms",
        ["SC_DYNAMODB_ENDPOINT"] = TestServers.DynamoEndpoint,
        ["SC_DYNAMODB_TABLENAME"] = table,
        ["SC_DYNAMODB_CREATETABLE"] = "true",
        ["SC_HTTP_PORT"] = "0",
        ["SC_LOG_LEVEL"] = "info",
    };
}
