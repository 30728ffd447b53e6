using System.Diagnostics;
using System.Text.Json;
using DynamoWriter.Tests;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Status;

/// <summary><c>status</c> asks a running cluster through its gateway, reads Redis and DynamoDB itself with <c>--direct</c> or when no gateway answers.</summary>
[Trait("Category", "Integration")]
public sealed class StatusGatewayTests
{
    private const string FromCluster = "from the cluster, through its gateway";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_running_cluster_answers_and_direct_reads_the_servers()
    {
        var stream = TestServers.Unique("gw");
        var table = TestServers.Unique("tbl");
        var env = ServiceEnvironment.For(stream, TestServers.Unique("g"), table).JoinCluster(TestServers.Unique("cluster"));
        env["SC_CHECKPOINT_TABLENAME"] = table + "-cp";
        await using (var connection = TestRedis.Connect(TestServers.RedisAddress))
        {
            await connection.GetDatabase().StreamAddAsync(stream, [new NameValueEntry("pk", "a")]);
        }

        await using var silo = ServiceProcess.Start(env, "run");
        // The status command is what waits: until the silo's gateway is in the membership table, it falls back.
        var (_, viaGateway) = await silo.WaitWhileRunningAsync(
            () => ServiceProcess.RunToEndAsync(env, RunTimeout, "status"), r => r.Output.Contains(FromCluster, StringComparison.Ordinal),
            TimeSpan.FromSeconds(90), "status answered by the cluster");
        Assert.Contains(stream, viaGateway, StringComparison.Ordinal);

        var (code, json) = await ServiceProcess.RunToEndAsync(env, RunTimeout, "status", "--json");
        Assert.True(code == 0, $"exit {code}: {json}");
        using (var doc = JsonDocument.Parse(json))
        {
            Assert.Equal(stream, doc.RootElement.GetProperty("streams")[0].GetProperty("stream").GetString());
            Assert.Contains(doc.RootElement.GetProperty("silos").EnumerateArray(), s => s.GetProperty("status").GetString() == "Active");
        }

        var (directCode, direct) = await ServiceProcess.RunToEndAsync(env, RunTimeout, "status", "--direct");
        Assert.True(directCode == 0, $"exit {directCode}: {direct}");
        Assert.Contains("from Redis and DynamoDB (--direct)", direct, StringComparison.Ordinal);
        Assert.Contains(stream, direct, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_gateway_it_falls_back_to_the_servers_within_seconds()
    {
        var stream = TestServers.Unique("nogw");
        var env = ServiceEnvironment.For(stream, TestServers.Unique("g"), TestServers.Unique("tbl")).JoinCluster(TestServers.Unique("cluster"));

        var clock = Stopwatch.StartNew();
        var (code, output) = await ServiceProcess.RunToEndAsync(env, RunTimeout, "status");

        Assert.True(code == 0, $"exit {code}: {output}");
        Assert.Contains("from Redis and DynamoDB (no gateway answered within 3s)", output, StringComparison.Ordinal);
        Assert.Contains(stream, output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"status took {clock.Elapsed.TotalSeconds:F1}s");
    }
}
