using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DynamoWriter.Tests;

namespace DynamoWriter.Silo.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Readyz_turns_unready_while_dynamodb_is_down_and_ready_when_it_is_back()
    {
        await using var dynamo = await OwnServer.StartDynamoAsync();
        var httpPort = Net.FreePort();
        var stream = TestServers.Unique("ready");
        var env = ServiceEnvironment.For(stream, TestServers.Unique("g"), TestServers.Unique("tbl"));
        env["SC_DYNAMODB_RETRYWAITMAX"] = "500ms";
        env["SC_DYNAMODB_ENDPOINT"] = dynamo.Url;
        env["SC_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture);
        await using var service = ServiceProcess.Start(env, "run");
        using var client = new OperationsClient(httpPort);

        var ready = await WaitForStatusAsync(client, "/readyz", HttpStatusCode.OK, service);
        AssertChecks(ready, "healthy", ["dynamodb", "engine", "redis", "tables"], failed: []);
        var live = await WaitForStatusAsync(client, "/healthz", HttpStatusCode.OK, service);
        AssertChecks(live, "healthy", ["engine-loops"], failed: []);

        // The partition's writer grain activates on its first entry (reading its checkpoint from
        // DynamoDB), so one entry is written before the outage: only an active partition pauses.
        await using var redis = TestRedis.Connect(TestServers.RedisAddress);
        await redis.GetDatabase().StreamAddAsync(stream, [new("pk", "first")]);
        await ServiceWait.UntilAsync(service, () => ScrapeAsync(client),
            s => Exposition.Value(s, "dynamowriter_entries_written_total", ("stream", stream)) == 1,
            TimeSpan.FromSeconds(60), "the partition's first entry to be written");

        await dynamo.StopAsync();
        // Entries arriving during the outage pause the partition (a gauge of 1, not 1 per retry)...
        for (var i = 0; i < 30; i++)
        {
            await redis.GetDatabase().StreamAddAsync(stream, [new("pk", i.ToString(CultureInfo.InvariantCulture))]);
        }

        await ServiceWait.UntilAsync(service, () => PausedAsync(client, stream), p => p == 1, TimeSpan.FromSeconds(60), "the partition to pause");
        var unready = await WaitForStatusAsync(client, "/readyz", HttpStatusCode.ServiceUnavailable, service);
        AssertChecks(unready, "unhealthy", ["dynamodb", "engine", "redis", "tables"], failed: ["dynamodb", "tables"]);

        // Fast even with the backend gone: each check gives up after two seconds.
        var timer = Stopwatch.StartNew();
        var again = await client.TryGetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again?.Status);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(5), $"/readyz took {timer.Elapsed}");
        // A backend outage is not a reason to restart the process.
        Assert.Equal(HttpStatusCode.OK, (await client.TryGetAsync("/healthz"))?.Status);

        await dynamo.StartAsync();
        var back = await WaitForStatusAsync(client, "/readyz", HttpStatusCode.OK, service);
        AssertChecks(back, "healthy", ["dynamodb", "engine", "redis", "tables"], failed: []);
        // ...and resuming takes it back to 0 once everything is written.
        await ServiceWait.UntilAsync(service, () => ScrapeAsync(client),
            s => Exposition.Value(s, "dynamowriter_entries_written_total", ("stream", stream)) == 31
                 && Exposition.Value(s, "dynamowriter_partitions_paused", ("stream", stream)) == 0,
            TimeSpan.FromSeconds(60), "the partition to resume and write everything");
        Assert.Contains("resumed", service.Output, StringComparison.Ordinal);

        service.Signal(ServiceProcess.SigTerm);
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    private static async Task<IReadOnlyList<Sample>> ScrapeAsync(OperationsClient client) =>
        await client.TryGetAsync("/metrics") is { Status: HttpStatusCode.OK } r ? Exposition.Parse(r.Body) : [];

    private static async Task<double> PausedAsync(OperationsClient client, string stream) =>
        Exposition.Value(await ScrapeAsync(client), "dynamowriter_partitions_paused", ("stream", stream));

    private static async Task<string> WaitForStatusAsync(OperationsClient client, string path, HttpStatusCode status, ServiceProcess service)
    {
        var result = await ServiceWait.UntilAsync(service,
            () => client.TryGetAsync(path),
            r => r?.Status == status,
            TimeSpan.FromSeconds(60),
            $"{path} to answer {(int)status}");
        Assert.StartsWith("application/json", result!.Value.ContentType, StringComparison.Ordinal);
        return result.Value.Body;
    }

    private static void AssertChecks(string body, string status, string[] checks, string[] failed)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.True(status == root.GetProperty("status").GetString(), body);
        Assert.Equal(checks, root.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray());
        Assert.True(failed.SequenceEqual(root.GetProperty("failed").EnumerateArray().Select(c => c.GetString()!)), body);
        foreach (var check in root.GetProperty("checks").EnumerateArray())
        {
            var name = check.GetProperty("name").GetString()!;
            Assert.Equal(failed.Contains(name) ? "unhealthy" : "healthy", check.GetProperty("status").GetString());
            Assert.True(check.TryGetProperty("description", out _), body);
        }
    }
}
