using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using DynamoWriter.Tests;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, the service also pushes its metrics and Orleans' traces over OTLP (http/protobuf).</summary>
[Trait("Category", "Integration")]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Metrics_and_grain_call_traces_are_pushed_to_the_OTLP_endpoint_when_one_is_set()
    {
        var port = Net.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new ConcurrentQueue<(string Path, long Bytes)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var receiving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var context = await listener.GetContextAsync().WaitAsync(stop.Token);
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body, stop.Token);
                received.Enqueue((context.Request.Url!.AbsolutePath, body.Length));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }, stop.Token);

        // Entries to write, so the pulling agent calls a writer grain: a traced Orleans call.
        var stream = TestServers.Unique("otlp");
        await using (var connection = TestRedis.Connect(TestServers.RedisAddress))
        {
            await connection.GetDatabase().StreamAddAsync(stream, [new("pk", "1"), new("n", "1")]);
        }

        var env = ServiceEnvironment.For(stream, TestServers.Unique("g"), TestServers.Unique("tbl"));
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}";
        env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        env["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        var httpPort = Net.FreePort();
        env["SC_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture);
        await using var service = ServiceProcess.Start(env, "run");
        using var client = new OperationsClient(httpPort);
        await ServiceWait.UntilAsync(service, () => client.TryGetAsync("/readyz"), r => r?.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "/readyz");

        await Eventually.WaitAsync(() => Task.FromResult(received.Any(r => r.Path == "/v1/metrics" && r.Bytes > 0)), found => found,
            TimeSpan.FromSeconds(90), "a POST to /v1/metrics");
        await Eventually.WaitAsync(() => Task.FromResult(received.Any(r => r.Path == "/v1/traces" && r.Bytes > 0)), found => found,
            TimeSpan.FromSeconds(90), "a POST to /v1/traces");

        service.Signal(ServiceProcess.SigTerm);
        var exit = await service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"exit {exit}\n{service.Output}");
        await stop.CancelAsync();
        listener.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => receiving);
    }
}
