using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;
using DynamoWriter.Silo.Http;

namespace DynamoWriter.Silo.Tests.Operations;

[Trait("Category", "Unit")]
public sealed class PrometheusExporterTests
{
    [Theory]
    [InlineData("dynamowriter.dynamodb.request.duration", "s", false, "dynamowriter_dynamodb_request_duration_seconds")]
    [InlineData("dynamowriter.entries.written", "{entry}", true, "dynamowriter_entries_written_total")]
    [InlineData("dynamowriter.entries.dead_lettered", "{entry}", true, "dynamowriter_entries_dead_lettered_total")]
    [InlineData("dynamowriter.batch.size", "{entry}", false, "dynamowriter_batch_size")]
    [InlineData("dynamowriter.stream.oldest_pending_age", "s", false, "dynamowriter_stream_oldest_pending_age_seconds")]
    [InlineData("http.request.body.size", "By", false, "http_request_body_size_bytes")]
    [InlineData("cache.hit_ratio", "1", false, "cache_hit_ratio")]
    [InlineData("cpu.usage", "1", false, "cpu_usage_ratio")]
    [InlineData("requests", "1", true, "requests_total")]
    [InlineData("io.rate", "By/s", false, "io_rate_bytes_per_second")]
    [InlineData("job.duration", "ms", true, "job_duration_milliseconds_total")]
    [InlineData("already_seconds", "s", false, "already_seconds")]
    [InlineData("weird-name..with spaces", null, false, "weird_name_with_spaces")]
    [InlineData("9lives", "", false, "_9lives")]
    public void Names_follow_the_OpenTelemetry_to_Prometheus_conventions(string name, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusNames.MetricName(name, unit, counter));

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        Assert.Equal(@"a\\b\""c\nd", PrometheusNames.EscapeLabelValue("a\\b\"c\nd"));
        Assert.Equal("plain", PrometheusNames.EscapeLabelValue("plain"));
        Assert.Equal(@"multi\nline \\ help ""quoted""", PrometheusNames.EscapeHelp("multi\nline \\ help \"quoted\""));
    }

    [Fact]
    public void Counters_are_summed_per_label_set_with_sorted_escaped_labels()
    {
        using var meter = new Meter("DynamoWriter");
        using var exporter = new PrometheusExporter([meter]);
        var counter = meter.CreateCounter<long>("dynamowriter.entries.written", "{entry}", "Entries written.");
        counter.Add(2, new KeyValuePair<string, object?>("stream", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("stream", "a"));
        counter.Add(1, new("zone", "z\"1"), new("stream", "b\\c\nd"));

        var text = exporter.Collect();

        Assert.Equal(
            "# HELP dynamowriter_entries_written_total Entries written.\n" +
            "# TYPE dynamowriter_entries_written_total counter\n" +
            "dynamowriter_entries_written_total{stream=\"a\"} 5\n" +
            "dynamowriter_entries_written_total{stream=\"b\\\\c\\nd\",zone=\"z\\\"1\"} 1\n",
            text);
        var samples = Exposition.Parse(text);
        Assert.Equal(1, Exposition.Value(samples, "dynamowriter_entries_written_total", ("stream", "b\\c\nd"), ("zone", "z\"1")));
    }

    [Fact]
    public void Histograms_have_cumulative_buckets_from_the_advice_with_Inf_sum_and_count()
    {
        using var meter = new Meter("DynamoWriter");
        using var exporter = new PrometheusExporter([meter]);
        var histogram = meter.CreateHistogram("request.duration", "s", "Latency.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        foreach (var v in new[] { 0.05, 0.1, 0.5, 1, 3, 50 })
        {
            histogram.Record(v, new KeyValuePair<string, object?>("op", "put"));
        }

        var text = exporter.Collect();

        Assert.Equal(
            "# HELP request_duration_seconds Latency.\n" +
            "# TYPE request_duration_seconds histogram\n" +
            "request_duration_seconds_bucket{op=\"put\",le=\"0.1\"} 2\n" + // le is inclusive: 0.05 and 0.1
            "request_duration_seconds_bucket{op=\"put\",le=\"1\"} 4\n" +
            "request_duration_seconds_bucket{op=\"put\",le=\"10\"} 5\n" +
            "request_duration_seconds_bucket{op=\"put\",le=\"+Inf\"} 6\n" +
            "request_duration_seconds_sum{op=\"put\"} 54.65\n" +
            "request_duration_seconds_count{op=\"put\"} 6\n",
            text);
    }

    [Fact]
    public void Integer_histograms_use_their_integer_advice_and_unadvised_ones_the_OpenTelemetry_defaults()
    {
        using var meter = new Meter("DynamoWriter");
        using var exporter = new PrometheusExporter([meter]);
        meter.CreateHistogram("batch.size", "{entry}", "Batch.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 25] }).Record(25);
        meter.CreateHistogram<long>("plain", null, "No advice.").Record(7);

        var samples = Exposition.Parse(exporter.Collect());

        Assert.Equal(["1", "25", "+Inf"], samples.Where(s => s.Name == "batch_size_bucket").Select(s => s.Labels["le"]));
        Assert.Equal([0, 1, 1], samples.Where(s => s.Name == "batch_size_bucket").Select(s => s.Value));
        Assert.Equal(PrometheusExporter.DefaultBuckets.Length + 1, samples.Count(s => s.Name == "plain_bucket"));
        Assert.Equal(1, Exposition.Value(samples, "plain_bucket", ("le", "10")));
        Assert.Equal(0, Exposition.Value(samples, "plain_bucket", ("le", "5")));
    }

    [Fact]
    public void Up_down_counters_and_gauges_are_gauges_and_observables_report_only_what_they_observe_now()
    {
        using var meter = new Meter("DynamoWriter");
        using var exporter = new PrometheusExporter([meter]);
        var inFlight = meter.CreateUpDownCounter<long>("requests.in_flight", "{request}", "In flight.");
        inFlight.Add(3);
        inFlight.Add(-2);
        var observed = new List<Measurement<double>> { new(4, new KeyValuePair<string, object?>("stream", "a")), new(2.5, new KeyValuePair<string, object?>("stream", "b")) };
        meter.CreateObservableGauge("stream.lag", () => observed, "{entry}", "Lag.");

        var first = exporter.Collect();
        Assert.Contains("# TYPE requests_in_flight gauge\nrequests_in_flight 1\n", first, StringComparison.Ordinal);
        Assert.Contains("# TYPE stream_lag gauge\nstream_lag{stream=\"a\"} 4\nstream_lag{stream=\"b\"} 2.5\n", first, StringComparison.Ordinal);

        observed.RemoveAt(0);
        var second = exporter.Collect();
        Assert.DoesNotContain("stream=\"a\"", second, StringComparison.Ordinal);
        Assert.Contains("stream_lag{stream=\"b\"} 2.5\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_given_meter_instances_are_exported()
    {
        using var ours = new Meter("DynamoWriter");
        using var theirs = new Meter("DynamoWriter");
        using var exporter = new PrometheusExporter([ours]);
        ours.CreateCounter<long>("c", null, "Ours.").Add(1);
        theirs.CreateCounter<long>("c", null, "Theirs.").Add(100);

        Assert.Equal(1, Exposition.Value(Exposition.Parse(exporter.Collect()), "c_total"));
    }

    [Fact]
    public void Concurrent_recording_loses_nothing()
    {
        using var meter = new Meter("DynamoWriter");
        using var exporter = new PrometheusExporter([meter]);
        var counter = meter.CreateCounter<long>("n", null, "N.");
        var histogram = meter.CreateHistogram<double>("h", "s", "H.");
        Parallel.For(0, 20_000, i =>
        {
            counter.Add(1, new KeyValuePair<string, object?>("k", i % 3));
            histogram.Record(i % 10);
            if (i % 1000 == 0)
            {
                _ = exporter.Collect();
            }
        });

        var samples = Exposition.Parse(exporter.Collect());
        Assert.Equal(20_000, samples.Where(s => s.Name == "n_total").Sum(s => s.Value));
        Assert.Equal(20_000, Exposition.Value(samples, "h_seconds_count"));
        Assert.Equal(20_000, Exposition.Value(samples, "h_seconds_bucket", ("le", "+Inf")));
    }

    [Fact]
    public async Task Every_DynamoWriter_instrument_passes_promtool_lint()
    {
        using var metrics = new DynamoWriterMetrics();
        using var exporter = new PrometheusExporter(metrics);
        var stream = new KeyValuePair<string, object?>("stream", "orders \"eu\"\\x");
        var table = new KeyValuePair<string, object?>("table", "t");
        metrics.EntriesRead.Add(3, stream);
        metrics.EntriesWritten.Add(2, stream);
        metrics.EntriesDeadLettered.Add(1, stream, new("error_kind", EntryErrorKind.MissingKey.ToWireName()));
        metrics.RequestDuration.Record(0.004, table, new("operation", "BatchWriteItem"));
        metrics.BatchSize.Record(2, table);
        metrics.EndToEndLatency.Record(0.2, stream);
        metrics.RequestsInFlight.Add(1, table);
        metrics.PartitionsPaused.Add(0, stream);
        metrics.CreateObservableGauge<long>("dynamowriter.stream.lag", () => [new Measurement<long>(5, stream)], "{entry}", "Lag.");

        var text = exporter.Collect();
        var (code, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics: exit {code}\n{output}\n---\n{text}");
        // Instruments with no measurement yet still announce themselves (HELP and TYPE).
        Assert.Contains("# TYPE dynamowriter_entries_claimed_total counter", text, StringComparison.Ordinal);
    }
}
