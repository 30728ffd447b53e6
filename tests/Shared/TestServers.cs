namespace DynamoWriter.Tests;

/// <summary>
/// The real servers that ./test.sh starts on free loopback ports. A missing variable is a failure,
/// never a skip: integration tests must run against real servers.
/// </summary>
internal static class TestServers
{
    /// <summary>host:port of the shared redis-server.</summary>
    public static string RedisAddress => Required("DW_TEST_REDIS");

    /// <summary>http://host:port of the shared DynamoDB server (DynamoDB Local, or dynalite).</summary>
    public static string DynamoEndpoint => Required("DW_TEST_DYNAMO");

    /// <summary>Path of the redis-server binary, for tests that start and stop their own.</summary>
    public static string RedisServerBinary => Required("DW_TEST_REDIS_SERVER");

    /// <summary>
    /// scripts/dynamo-server.sh, which runs the same kind of DynamoDB server as the shared one, for tests
    /// that start and stop their own.
    /// </summary>
    public static string DynamoLauncher => Required("DW_TEST_DYNAMO_LAUNCHER");

    /// <summary>dynamodb-local or dynalite: which DynamoDB server this run uses.</summary>
    public static string DynamoServerKind => Required("DW_TEST_DYNAMO_SERVER");

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{name} is not set: run the tests through ./test.sh, which starts the real servers.");

    /// <summary>A key unique to this call, so tests can share one server in parallel (SE.Redis' Me()).</summary>
    public static string Unique(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, prefix.Length + 33)];
}
