using System.Globalization;
using System.Net;
using System.Text.Json;
using DynamoWriter.Configuration;
using DynamoWriter.Options;
using DynamoWriter.Tests;

namespace DynamoWriter.Silo.Tests.Operations;

public sealed class LoggingTests
{
    [Fact]
    [Trait("Category", "Unit")]
    public void The_effective_configuration_masks_every_password()
    {
        var options = new DynamoWriterOptions();
        options.Stream.Redis.Password = "hunter2-redis";
        options.Stream.Valkey.Password = "hunter2-valkey";
        var lines = OptionsDescriber.Describe(options);

        Assert.Contains("sc.stream.redis.password = ***", lines);
        Assert.Contains("sc.stream.valkey.password = ***", lines);
        Assert.DoesNotContain(lines, l => l.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Json_format_writes_one_object_per_line_with_event_ids_and_never_the_password()
    {
        const string password = "s3cret-Pa55word-in-env";
        await using var redis = await OwnServer.StartRedisAsync("--requirepass", password);
        var httpPort = Net.FreePort();
        var env = ServiceEnvironment.For(TestServers.Unique("json"), TestServers.Unique("g"), TestServers.Unique("tbl"));
        env["SC_STREAM_REDIS_ADDRESS"] = redis.Address;
        env["SC_STREAM_REDIS_PASSWORD"] = password;
        env["SC_LOG_FORMAT"] = "json";
        env["SC_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture);
        // Set but ignored by the Orleans engine, and a variable of another service: one warning each.
        env["SC_STREAM_CONSUMER"] = "legacy-node";
        env["SC_BILLING_APITOKEN"] = "other-service-secret";
        await using var service = ServiceProcess.Start(env, "run");
        using var client = new OperationsClient(httpPort);

        // Ready means AUTH with the password worked for the engine and for the probes.
        await ServiceWait.UntilAsync(service, () => client.TryGetAsync("/readyz"), r => r?.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), $"/readyz");
        service.Signal(ServiceProcess.SigTerm);
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var output = service.Output;
        Assert.DoesNotContain(password, output, StringComparison.Ordinal);
        Assert.DoesNotContain("other-service-secret", output, StringComparison.Ordinal);
        var events = new List<JsonElement>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var doc = ParseOrFail(line);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            Assert.True(doc.RootElement.TryGetProperty("EventId", out _), $"no EventId: {line}");
            Assert.True(doc.RootElement.TryGetProperty("LogLevel", out _), $"no LogLevel: {line}");
            Assert.True(doc.RootElement.TryGetProperty("Timestamp", out _), $"no Timestamp: {line}");
            events.Add(doc.RootElement.Clone());
        }

        var configuration = Assert.Single(events, e => e.GetProperty("EventId").GetInt32() == 100);
        var message = configuration.GetProperty("Message").GetString()!;
        Assert.Contains("sc.stream.redis.password = ***", message, StringComparison.Ordinal);
        Assert.Contains("sc.log.format = json", message, StringComparison.Ordinal);
        var notices = events.Where(e => e.GetProperty("EventId").GetInt32() == 102).ToList();
        Assert.All(notices, n => Assert.Equal("Warning", n.GetProperty("LogLevel").GetString()));
        var texts = notices.Select(n => n.GetProperty("Message").GetString()!).ToList();
        Assert.Single(texts, t => t.Contains("sc.stream.consumer is set (legacy-node) but ignored", StringComparison.Ordinal));
        Assert.Single(texts, t => t.Contains("SC_BILLING_APITOKEN is not a DynamoWriter setting", StringComparison.Ordinal));
        Assert.Contains(events, e => e.GetProperty("EventId").GetInt32() == 1000); // engine starting
        Assert.Contains(events, e => e.GetProperty("EventId").GetInt32() == 1002); // engine stopped
    }

    private static JsonDocument ParseOrFail(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"not one JSON object per line ({ex.Message}): {line}");
        }
    }
}
