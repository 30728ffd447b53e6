using System.Globalization;
using System.Text.Json;
using DynamoWriter.Tests;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Hosting;

/// <summary>
/// <c>sc.orleans.tls</c>: two processes form one cluster (membership in Redis) over TLS with a self-signed
/// certificate they share, write every entry, and <c>status</c> asks them through a TLS gateway.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TlsClusterTests
{
    private const int StreamCount = 4;
    private const int Total = 2_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_silos_with_tls_form_one_cluster_write_everything_and_answer_status()
    {
        using var pfx = TestCertificate.Create();
        var prefix = TestServers.Unique("tls");
        var table = TestServers.Unique("tbl");
        await using (var connection = TestRedis.Connect(TestServers.RedisAddress))
        {
            var redis = connection.GetDatabase();
            await Task.WhenAll(Enumerable.Range(0, Total).Select(i =>
                redis.StreamAddAsync($"{prefix}:{i % StreamCount}", [new NameValueEntry("pk", i.ToString(CultureInfo.InvariantCulture))])));
        }

        var env = ServiceEnvironment.For($"{prefix}:*", TestServers.Unique("g"), table).JoinCluster(TestServers.Unique("cluster"));
        env["SC_CHECKPOINT_TABLENAME"] = table + "-cp";
        env["SC_ORLEANS_TLS_CERTIFICATEPATH"] = pfx.Path;
        env["SC_ORLEANS_TLS_PASSWORD"] = pfx.Password;
        // The second silo joins only if it reaches the first over TLS: Orleans checks connectivity to every active silo first.
        await using var first = ServiceProcess.Start(env, "run");
        await using var second = ServiceProcess.Start(env, "run");

        using var dynamo = TestTables.Client();
        await first.WaitWhileRunningAsync(() => CountAsync(dynamo, table), n => n == Total, Deadline, $"all {Total} entries in DynamoDB");

        var (_, json) = await second.WaitWhileRunningAsync(
            () => ServiceProcess.RunToEndAsync(env, Deadline, "status", "--json"), r => ActiveSilos(r.Output) == 2,
            Deadline, "both silos Active in the membership table");
        Assert.False(first.HasExited, first.Output);
        // A busy machine can miss status's 3 s connect timeout once (it then falls back): ask until the gateway answers.
        var (code, text) = await first.WaitWhileRunningAsync(
            () => ServiceProcess.RunToEndAsync(env, Deadline, "status"), r => r.Output.Contains("from the cluster, through its gateway", StringComparison.Ordinal),
            Deadline, "status answered through the TLS gateway");
        Assert.True(code == 0, $"exit {code}: {text}");
        Assert.Contains($"{prefix}:0", json, StringComparison.Ordinal);

        // And the gateway speaks nothing but TLS: a client without the certificate gets no answer and falls back.
        var plain = new Dictionary<string, string>(env, StringComparer.Ordinal);
        plain.Remove("SC_ORLEANS_TLS_CERTIFICATEPATH");
        plain.Remove("SC_ORLEANS_TLS_PASSWORD");
        var (_, fallback) = await ServiceProcess.RunToEndAsync(plain, Deadline, "status");
        Assert.Contains("no gateway answered", fallback, StringComparison.Ordinal);
    }

    /// <summary>The table's items; 0 until the first silo has created it at its start.</summary>
    private static async Task<int> CountAsync(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo, string table)
    {
        try
        {
            return await TestTables.CountAsync(dynamo, table);
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            return 0;
        }
    }

    private static int ActiveSilos(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "Active");
        }
        catch (JsonException)
        {
            return 0; // not a report (yet): the command failed; the deadline's message shows its output
        }
    }
}
