using System.Globalization;
using System.Net;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Stats;
using DynamoWriter.Options;
using DynamoWriter.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>The real executable against the real servers: /metrics agrees exactly with what happened.</summary>
[Trait("Category", "Integration")]
public sealed class MetricsEndToEndTests
{
    private const int Good = 317;
    private const int Bad = 13;

    [Fact]
    public async Task Scrape_passes_promtool_has_the_dashboards_Orleans_families_and_counters_equal_what_was_written()
    {
        var stream = TestServers.Unique("metrics");
        var group = TestServers.Unique("g");
        var table = TestServers.Unique("tbl");
        await using var connection = TestRedis.Connect(TestServers.RedisAddress);
        var redis = connection.GetDatabase();
        // Interleaved: every 25th entry has no "pk" field, so it is dead-lettered as missing-key.
        var writes = new List<Task<RedisValue>>();
        int good = 0, bad = 0;
        for (var i = 0; good < Good || bad < Bad; i++)
        {
            if (i % 25 == 7 && bad < Bad)
            {
                writes.Add(redis.StreamAddAsync(stream, [new("id", $"bad-{bad++}"), new("note", "no key")]));
            }
            else if (good < Good)
            {
                var pk = (good++).ToString(CultureInfo.InvariantCulture);
                writes.Add(redis.StreamAddAsync(stream, [new("pk", pk), new("n", pk)]));
            }
        }

        await Task.WhenAll(writes);

        var port = Net.FreePort();
        var env = ServiceEnvironment.For(stream, group, table);
        env["SC_HTTP_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        await using var service = ServiceProcess.Start(env, "run");
        using var client = new OperationsClient(port);

        // Everything acknowledged, and a poll taken after that: nothing undelivered (lag 0), nothing pending.
        // (Pending alone is 0 in a poll taken before the first read, too.)
        var samples = await ServiceWait.UntilAsync(service,
            async () => await client.TryGetAsync("/metrics") is { Status: HttpStatusCode.OK } r ? Exposition.Parse(r.Body) : [],
            s => Exposition.Value(s, "dynamowriter_entries_acknowledged_total", ("stream", stream)) >= Good + Bad
                 && s.Any(x => x.Name == "dynamowriter_stream_pending" && x.Has(("stream", stream), ("group", group)) && x.Value == 0)
                 && s.Any(x => x.Name == "dynamowriter_stream_lag" && x.Has(("stream", stream), ("group", group)) && x.Value == 0)
                 // and a checkpoint written (sc.checkpoint.interval), so Orleans' storage latency has a value too.
                 && s.Any(x => x.Name == "orleans_storage_write_latency_milliseconds_count"),
            TimeSpan.FromMinutes(2), $"every entry to be acknowledged and a checkpoint written");

        var response = await client.TryGetAsync("/metrics");
        Assert.StartsWith("text/plain; version=0.0.4", response!.Value.ContentType, StringComparison.Ordinal);
        var text = response.Value.Body;
        // The scrape parses (exit 3 is lint only) and nothing but Orleans' own families draw lint: they carry no
        // help text and count milliseconds, which is Orleans' choice; ours and the runtime's are clean.
        var (code, lint) = await Promtool.CheckMetricsAsync(text);
        var foreign = lint.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("orleans_", StringComparison.Ordinal)).ToList();
        Assert.True(code is 0 or 3 && foreign.Count == 0, $"promtool check metrics: exit {code}\n{lint}\n---\n{text}");
        Assert.Contains("orleans_", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal);

        // The dashboard's Orleans cluster row queries families a running silo exports, and covers silos, queue
        // ownership, pulling agents and the messages they read and send.
        var series = Exposition.SeriesNames(text);
        var queried = GrafanaDashboard.Metrics("orleans_").Union(GrafanaDashboard.Metrics("dotnet_")).ToList();
        Assert.All(queried, name => Assert.True(series.Contains(name), $"the dashboard queries {name}, which a silo does not export"));
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal)
        {
            "orleans_consistent_ring_size", "orleans_streams_persistent_stream_pulling_agents",
            "orleans_streams_persistent_stream_messages_read_total", "orleans_streams_persistent_stream_messages_sent_total",
        }, queried.ToHashSet(StringComparer.Ordinal));

        samples = Exposition.Parse(text);
        var s = ("stream", stream);
        Assert.Equal(Good + Bad, Exposition.Value(samples, "dynamowriter_entries_read_total", s));
        Assert.Equal(Good, Exposition.Value(samples, "dynamowriter_entries_written_total", s));
        Assert.Equal(Bad, Exposition.Value(samples, "dynamowriter_entries_dead_lettered_total", s, ("error_kind", "missing-key")));
        Assert.Equal(Bad, samples.Where(x => x.Name == "dynamowriter_entries_dead_lettered_total").Sum(x => x.Value));
        Assert.Equal(Good + Bad, Exposition.Value(samples, "dynamowriter_entries_acknowledged_total", s));
        Assert.Equal(0, Exposition.Value(samples, "dynamowriter_entries_skipped_total", s));
        Assert.Equal(0, Exposition.Value(samples, "dynamowriter_entries_claimed_total", s));
        // One end-to-end latency per written entry; every written item went through a batch request.
        Assert.Equal(Good, Exposition.Value(samples, "dynamowriter_entry_latency_seconds_count", s));
        Assert.Equal(Good, Exposition.Value(samples, "dynamowriter_entry_latency_seconds_bucket", s, ("le", "+Inf")));
        Assert.Equal(Good, samples.Where(x => x.Name == "dynamowriter_batch_size_sum" && x.Has(("table", table))).Sum(x => x.Value));
        Assert.True(samples.Where(x => x.Name == "dynamowriter_dynamodb_request_duration_seconds_count" && x.Has(("table", table))).Sum(x => x.Value) >= Math.Ceiling(Good / 25.0));
        Assert.Equal(0, samples.Where(x => x.Name == "dynamowriter_dynamodb_requests_in_flight").Sum(x => x.Value));
        // The per-stream gauges of the poller.
        var sg = new[] { s, ("group", group) };
        Assert.Equal(0, Exposition.Value(samples, "dynamowriter_stream_pending", sg));
        Assert.Equal(0, Exposition.Value(samples, "dynamowriter_stream_lag", sg));
        Assert.Equal(0, Exposition.Value(samples, "dynamowriter_stream_oldest_pending_age_seconds", sg));
        Assert.Equal(Bad, Exposition.Value(samples, "dynamowriter_stream_dead_letter_length", s, ("dead_letter_stream", stream + ":dlq")));

        // And the counters tell the truth about the servers.
        using var dynamo = TestTables.Client();
        Assert.Equal(Good, await TestTables.CountAsync(dynamo, table));
        Assert.Equal(Bad, await redis.StreamLengthAsync(stream + ":dlq"));

        service.Signal(ServiceProcess.SigTerm);
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Oldest_pending_age_and_lag_report_a_backlog()
    {
        // No silo: the group exists with entries delivered to a consumer that never acknowledges them.
        var stream = TestServers.Unique("backlog");
        var group = TestServers.Unique("g");
        await using var connection = TestRedis.Connect(TestServers.RedisAddress);
        var redis = connection.GetDatabase();
        var old = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
        await redis.StreamAddAsync(stream, [new("pk", "1")], $"{old}-0");
        await redis.StreamAddAsync(stream, [new("pk", "2")]);
        await redis.StreamAddAsync(stream, [new("pk", "3")]);
        await redis.StreamCreateConsumerGroupAsync(stream, group, "0", createStream: false);
        await redis.StreamReadGroupAsync(stream, group, "stuck", ">", 2);

        var options = new DynamoWriterOptions();
        options.Stream.Streams = [stream];
        options.Stream.Group = group;
        options.Stream.Redis.Address = TestServers.RedisAddress;
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        await using var telemetry = await InProcessMetrics.StartAsync();
        await using var operations = new DynamoWriterRedis(wrapped);
        using var collector = new StreamStatsCollector(wrapped, telemetry.Metrics, operations, NullLogger<StreamStatsCollector>.Instance);
        await collector.PollOnceAsync(CancellationToken.None);

        var samples = Exposition.Parse((await telemetry.ScrapeAsync()).Body);
        var sg = new[] { ("stream", stream), ("group", group) };
        Assert.Equal(2, Exposition.Value(samples, "dynamowriter_stream_pending", sg));
        Assert.Equal(1, Exposition.Value(samples, "dynamowriter_stream_lag", sg));
        var age = Exposition.Value(samples, "dynamowriter_stream_oldest_pending_age_seconds", sg);
        Assert.InRange(age, 600, 900);
        Assert.Equal(0, Exposition.Value(samples, "dynamowriter_stream_dead_letter_length", ("stream", stream)));
    }
}
