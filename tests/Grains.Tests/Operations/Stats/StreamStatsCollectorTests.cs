using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Stats;
using DynamoWriter.Tests;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Tests.Operations.Stats;

/// <summary>The <c>dynamowriter.stream.*</c> gauges, read the way an exporter reads them (a <see cref="MeterListener"/>).</summary>
[Trait("Category", "Integration")]
public sealed class StreamStatsCollectorTests
{
    [Fact]
    public async Task Oldest_pending_age_lag_and_dead_letters_report_a_backlog()
    {
        // No writer: the group exists with entries delivered to a consumer that never acknowledges them.
        var stream = TestServers.Unique("backlog");
        var options = OperationsKit.NewOptions(stream);
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        var old = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
        await db.StreamAddAsync(stream, "pk", "1", $"{old}-0");
        await db.StreamAddAsync(stream, "pk", "2");
        await db.StreamAddAsync(stream, "pk", "3");
        await db.StreamAddAsync($"{stream}:dlq", "pk", "bad");
        await db.StreamCreateConsumerGroupAsync(stream, options.Stream.Group, "0", createStream: false);
        await db.StreamReadGroupAsync(stream, options.Stream.Group, "stuck", ">", 2);
        using var metrics = new DynamoWriterMetrics();
        using var collector = new StreamStatsCollector(Microsoft.Extensions.Options.Options.Create(options), metrics, redis, new ListLogger<StreamStatsCollector>());

        await collector.PollOnceAsync(CancellationToken.None);

        var measured = Measure(metrics);
        var sg = $"stream={stream},group={options.Stream.Group}";
        Assert.Equal(2, measured[("dynamowriter.stream.pending", sg)]);
        Assert.Equal(1, measured[("dynamowriter.stream.lag", sg)]);
        Assert.InRange(measured[("dynamowriter.stream.oldest_pending_age", sg)], 600, 900);
        Assert.Equal(1, measured[("dynamowriter.stream.dead_letter.length", $"stream={stream},dead_letter_stream={stream}:dlq")]);
        var stats = Assert.Single(collector.Snapshot);
        Assert.True(stats.GroupExists);
        await db.KeyDeleteAsync([stream, $"{stream}:dlq"]);
    }

    [Fact]
    public async Task A_stream_without_the_group_reports_only_its_dead_letters()
    {
        var stream = TestServers.Unique("nogroup");
        var options = OperationsKit.NewOptions(stream);
        await using var redis = OperationsKit.Redis();
        using var metrics = new DynamoWriterMetrics();
        using var collector = new StreamStatsCollector(Microsoft.Extensions.Options.Options.Create(options), metrics, redis, new ListLogger<StreamStatsCollector>());

        await collector.PollOnceAsync(CancellationToken.None);

        var measured = Measure(metrics);
        Assert.Equal(0, measured[("dynamowriter.stream.dead_letter.length", $"stream={stream},dead_letter_stream={stream}:dlq")]);
        Assert.DoesNotContain(measured.Keys, k => k.Name == "dynamowriter.stream.pending");
        Assert.False(Assert.Single(collector.Snapshot).GroupExists);
    }

    [Fact]
    public async Task An_unreachable_redis_clears_the_gauges_and_logs_once_per_outage()
    {
        var options = OperationsKit.NewOptions(TestServers.Unique("down"));
        options.Stream.Redis.Address = $"127.0.0.1:{Net.FreePort()}";
        await using var redis = new DynamoWriterRedis(options.Stream.EffectiveServer, "dynamo-writer:tests");
        using var metrics = new DynamoWriterMetrics();
        var logs = new ListLogger<StreamStatsCollector>();
        using var collector = new StreamStatsCollector(Microsoft.Extensions.Options.Options.Create(options), metrics, redis, logs);

        await collector.PollOnceAsync(CancellationToken.None);
        await collector.PollOnceAsync(CancellationToken.None);

        Assert.Empty(collector.Snapshot);
        Assert.Empty(Measure(metrics));
        Assert.Equal([1100], logs.EventIds);
    }

    /// <summary>Every measurement of the stream gauges, by (instrument, "tag=value,..." in tag order).</summary>
    private static Dictionary<(string Name, string Tags), double> Measure(DynamoWriterMetrics metrics)
    {
        var result = new Dictionary<(string, string), double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name.StartsWith("dynamowriter.stream.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var text = new List<string>();
            foreach (var tag in tags)
            {
                text.Add($"{tag.Key}={tag.Value}");
            }

            result[(instrument.Name, string.Join(",", text))] = value;
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return result;
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<int> EventIds { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            EventIds.Add(eventId.Id);
    }
}
