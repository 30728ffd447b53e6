using System.Globalization;
using System.Reflection;
using DynamoWriter.Tests;

namespace DynamoWriter.Silo.Tests.Clients;

/// <summary>
/// A rolling upgrade's mixed versions: a client built against the previous contract (tests/OldClient, its own
/// copy of the grain interface and types without the delete totals, no reference to ours) asks a silo of this
/// version for a writer grain's status. Only the aliases connect the two; the new fields are skipped.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OldClientTests
{
    private const int Entries = 100;

    [Fact]
    public async Task A_client_of_the_previous_contract_reads_a_new_silos_writer_status()
    {
        var stream = TestServers.Unique("old");
        var table = TestServers.Unique("tbl");
        var cluster = TestServers.Unique("cluster");
        var env = ServiceEnvironment.For(stream, TestServers.Unique("g"), table).JoinCluster(cluster);
        env["SC_CHECKPOINT_TABLENAME"] = table + "-cp";
        await using (var connection = TestRedis.Connect(TestServers.RedisAddress))
        {
            await TestRedis.ProduceAsync(connection.GetDatabase(), stream, 0, Entries);
        }

        await using var silo = ServiceProcess.Start(env, "run");
        using var dynamo = TestTables.Client();
        await silo.WaitWhileRunningAsync(async () =>
        {
            try
            {
                return await TestTables.CountAsync(dynamo, table);
            }
            catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
            {
                return 0; // the silo creates the table as it starts
            }
        }, n => n == Entries, TimeSpan.FromSeconds(90), $"{Entries} items written");

        // The client waits for a gateway in the membership table; until the silo's is there it fails, so ask again.
        var (_, output) = await silo.WaitWhileRunningAsync(
            () => RunOldClientAsync(cluster, stream), r => r.ExitCode == 0, TimeSpan.FromSeconds(90), "the old client to get an answer");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"written {Entries} position "), output, StringComparison.Ordinal);
        Assert.Contains("paused False", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunOldClientAsync(string cluster, string stream)
    {
        var configuration = typeof(OldClientTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var dll = Path.Combine(Repository.Root, "tests", "OldClient", "bin", configuration, "net10.0", "DynamoWriter.OldClient.dll");
        await using var client = ServiceProcess.StartAssembly(dll, new Dictionary<string, string>(), TestServers.RedisAddress, cluster, Options.OrleansOptions.DefaultServiceId, stream);
        var code = await client.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, client.Output);
    }
}
