namespace DynamoWriter.Tests;

/// <summary>
/// A DynamoDB with TransactWriteItems, for the exactly-once tests on either run: the run's own server when it is
/// DynamoDB Local; with DW_TEST_DYNAMO_SERVER=dynalite (which has no transactions) one DynamoDB Local started here
/// in memory, shared by the test process and stopped when it exits.
/// </summary>
internal static class TransactionalDynamo
{
    private static readonly Lazy<Task<string>> Started = new(StartAsync);

    /// <summary>http://127.0.0.1:port of DynamoDB Local.</summary>
    public static Task<string> EndpointAsync() => Started.Value;

    private static async Task<string> StartAsync()
    {
        if (TestServers.DynamoServerKind == "dynamodb-local")
        {
            return TestServers.DynamoEndpoint;
        }

        var server = await OwnServer.StartDynamoAsync("dynamodb-local", onDisk: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server.Url;
    }
}
