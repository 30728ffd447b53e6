using System.Diagnostics;
using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;
using Spectre.Console;

namespace DynamoWriter.Bench;

/// <summary>Scenario 10: the engine against a table provisioned below what it could write.</summary>
internal sealed partial class Scenarios
{
    /// <summary>
    /// A backlog drained through <see cref="ThrottlingProxy"/> allowing <paramref name="allowed"/> items/s. The rate
    /// is taken from the first acknowledgement to the last, so the silo's start does not count against it.
    /// </summary>
    public async Task<ThrottledRun> ThrottledAsync(int count, double allowed)
    {
        var name = _w.Name("throttled");
        var streams = _w.StreamNames(name);
        await _w.FillAsync(streams, name, count);
        await _w.FreshBackendAsync();
        await _w.CreateTablesAsync(name, _w.CheckpointTable);
        await using var proxy = await ThrottlingProxy.StartAsync(_w.DynamoEndpoint, allowed);
        long throttles = 0, retries = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DynamoWriterMetrics.MeterName && instrument.Name is "dynamowriter.dynamodb.throttles" or "dynamowriter.dynamodb.retries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            Interlocked.Add(ref instrument.Name == "dynamowriter.dynamodb.throttles" ? ref throttles : ref retries, value));
        listener.Start();

        var options = _w.EngineOptions(streams, name, WritePolicy.Overwrite);
        options.DynamoDB.Endpoint = proxy.Endpoint;
        var host = await Workload.StartEngineAsync(options);
        try
        {
            var totals = Workload.Totals(host);
            while (totals.Acknowledged == 0)
            {
                await Task.Delay(5);
            }

            var firstAcked = totals.Acknowledged;
            var started = Stopwatch.GetTimestamp();
            await Workload.WaitAcknowledgedAsync(totals, count, Stuck);
            var rate = (count - firstAcked) / Stopwatch.GetElapsedTime(started).TotalSeconds;
            AnsiConsole.MarkupLine($"  [grey]proxy: {proxy.ForwardedItems:N0} items forwarded, {proxy.Throttled:N0} requests throttled[/]");
            return new ThrottledRun(rate, totals.DeadLettered, Interlocked.Read(ref throttles), Interlocked.Read(ref retries), proxy.Throttled);
        }
        finally
        {
            await Workload.StopAsync(host);
            await _w.DeleteStreamsAsync(streams);
            await _w.DeleteTableAsync(name);
        }
    }
}

/// <summary>What a throttled drain did: its rate, dead letters, and the throttling as the engine's metrics and the proxy saw it.</summary>
internal sealed record ThrottledRun(double Rate, long DeadLettered, long Throttles, long Retries, long ProxyThrottled)
{
    public string Describe() =>
        $"{DeadLettered:N0} dead-lettered; the engine counted {Throttles:N0} throttling answers and {Retries:N0} retries, the proxy throttled {ProxyThrottled:N0} requests";
}
