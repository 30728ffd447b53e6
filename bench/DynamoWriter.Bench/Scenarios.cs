using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;
using Spectre.Console;

namespace DynamoWriter.Bench;

/// <summary>The scenarios of one run; each creates its own streams, group and table and removes them afterwards.</summary>
internal sealed partial class Scenarios(Workload w, Report report)
{
    private const string LatencyInstrument = "dynamowriter.entry.latency";
    private const string RequestInstrument = "dynamowriter.dynamodb.request.duration";
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(60);
    private readonly Workload _w = w;
    private readonly Report _report = report;

    /// <summary>
    /// 2 and 4. A backlog of N entries drained by the engine (fresh group, table and silo); entries/s from the
    /// first entry read to all acknowledged, as <see cref="WriterTotals"/> counts them (what a ceiling measures:
    /// requests, not client start-up), and from the silo's start (its start-up included).
    /// </summary>
    public async Task<Drain> EndToEndAsync(WritePolicy policy, int count, bool exactlyOnce = false)
    {
        var name = _w.Name("e2e-" + policy.ToString().ToLowerInvariant() + (exactlyOnce ? "-eo" : ""));
        var streams = _w.StreamNames(name);
        var fillRate = await _w.FillAsync(streams, name, count);
        AnsiConsole.MarkupLine($"  [grey]backlog of {count:N0} entries over {streams.Count} streams added at {fillRate:N0}/s[/]");
        await _w.FreshBackendAsync();
        await _w.CreateTablesAsync(name, _w.CheckpointTable);
        var options = _w.EngineOptions(streams, name, policy);
        options.DynamoDB.ExactlyOnce = exactlyOnce;
        using var inFlight = new InFlightMeter();
        var cpu = TimeSpan.Zero;
        var gc = default(GcUse);
        var started = Stopwatch.GetTimestamp();
        var host = await Workload.StartEngineAsync(options);
        try
        {
            var firstRead = await Workload.WaitAcknowledgedAsync(Workload.Totals(host), count, Stuck, at =>
            {
                inFlight.Restart(at);
                cpu = ProcessCpu.Now();
                gc = GcUse.Now();
            });
            var done = Stopwatch.GetTimestamp();
            return new Drain(count, Stopwatch.GetElapsedTime(started, done), Stopwatch.GetElapsedTime(firstRead, done), inFlight.Describe(done), ProcessCpu.MicrosPerItemSince(cpu, count), GcUse.Now().Since(gc), QueueSpread.Describe(streams));
        }
        finally
        {
            await Workload.StopAsync(host);
            await _w.DeleteStreamsAsync(streams);
            await _w.DeleteTableAsync(name);
        }
    }

    /// <summary>
    /// Drains small backlogs under every policy through throw-away silos before anything is timed. The ceilings
    /// run the SDK's write paths warm (the JVM warm-up ran them in this process first); without this the first
    /// end-to-end drain and the latency run measure the JIT compiling the engine (perf: a quarter of this
    /// process's CPU in libclrjit during a cold drain). A service that has run for a minute has none of that.
    /// </summary>
    public async Task<string> WarmUpEngineAsync(bool exactlyOnce)
    {
        var drains = new List<string>();
        foreach (var (policy, count, eo) in new[]
        {
            (WritePolicy.Overwrite, 20_000, false), (WritePolicy.SkipExisting, 5_000, false), (WritePolicy.NewerWins, 5_000, false),
            (WritePolicy.Overwrite, 5_000, true),
        })
        {
            if (eo && !exactlyOnce)
            {
                continue;
            }

            var d = await EndToEndAsync(policy, count, eo);
            drains.Add($"{policy}{(eo ? " exactly-once" : "")} {d.Count:N0} at {d.Rate:N0}/s");
        }

        return string.Join(", ", drains);
    }

    /// <summary>
    /// 6. Entries XADDed at a steady rate (round-robin over the streams) while the engine runs (overwrite,
    /// real backend). Latency = acknowledgement time minus the time in the entry ID (the XADD time), as the
    /// engine records it in dynamowriter.entry.latency; every measurement is captured with a MeterListener.
    /// </summary>
    public async Task<(double P50, double P99, double Max, double Offered, long Count, string Slow)> LatencyAsync(int rate, int seconds, double slowMs)
    {
        var name = _w.Name("latency");
        var streams = _w.StreamNames(name);
        await _w.FreshBackendAsync();
        await _w.CreateTablesAsync(name, _w.CheckpointTable);
        var samples = new ConcurrentQueue<(long At, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DynamoWriterMetrics.MeterName && instrument.Name is LatencyInstrument or RequestInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // The slowest DynamoDB request tells a stall of the backend from one of the engine.
        var requests = new ConcurrentQueue<(long At, double Seconds)>();
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            (instrument.Name == LatencyInstrument ? samples : requests).Enqueue((Stopwatch.GetTimestamp(), value)));
        listener.Start();
        var options = _w.EngineOptions(streams, name, WritePolicy.Overwrite);
        foreach (var s in streams)
        {
            await _w.Redis.StreamCreateConsumerGroupAsync(s, options.Stream.Group, "0", createStream: true);
        }

        var host = await Workload.StartEngineAsync(options);
        try
        {
            var total = rate * seconds;
            var sent = 0;
            var gc = GcUse.Now();
            var started = Stopwatch.GetTimestamp();
            var inFlight = new List<Task<StackExchange.Redis.RedisValue>>();
            while (sent < total)
            {
                var due = (int)Math.Min(total, Stopwatch.GetElapsedTime(started).TotalSeconds * rate);
                for (; sent < due; sent++)
                {
                    inFlight.Add(_w.Redis.StreamAddAsync(streams[sent % streams.Count], _w.XAddFields($"{name}-{sent}", sent)));
                }

                await Task.WhenAll(inFlight);
                inFlight.Clear();
                await Task.Delay(1);
            }

            var offered = total / Stopwatch.GetElapsedTime(started).TotalSeconds;
            await Workload.WaitAcknowledgedAsync(Workload.Totals(host), total, Stuck);
            var sorted = samples.Select(s => s.Seconds * 1000).Order().ToArray();
            var slowest = requests.Where(r => r.At >= started).DefaultIfEmpty().MaxBy(r => r.Seconds);
            var slow = $"{DescribeSlow(samples, started, slowMs)}; slowest DynamoDB request {slowest.Seconds * 1000:F0} ms, "
                + $"finished {(slowest.At == 0 ? 0 : Stopwatch.GetElapsedTime(started, slowest.At).TotalSeconds):F1} s into the run; "
                + $"this process: {GcUse.Now().Since(gc).Describe(total)}";
            return (Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Length == 0 ? 0 : sorted[^1], offered, sorted.Length, slow);
        }
        finally
        {
            await Workload.StopAsync(host);
            await _w.DeleteStreamsAsync(streams);
            await _w.DeleteTableAsync(name);
        }
    }

    /// <summary>When the samples over <paramref name="slowMs"/> were taken: a tail spread over the run and one stall read differently.</summary>
    private static string DescribeSlow(IEnumerable<(long At, double Seconds)> samples, long started, double slowMs)
    {
        var slow = samples.Where(s => s.Seconds * 1000 > slowMs)
            .Select(s => Stopwatch.GetElapsedTime(started, s.At).TotalSeconds).Order().ToArray();
        return slow.Length == 0
            ? $"no sample over {slowMs:F0} ms"
            : $"{slow.Length:N0} samples over {slowMs:F0} ms, acknowledged between {slow[0]:F1} s and {slow[^1]:F1} s into the run";
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
