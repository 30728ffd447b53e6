using System.Diagnostics;
using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;

namespace DynamoWriter.Bench;

/// <summary>
/// The engine's DynamoDB requests in flight over a drain, from its own up-down counter: the time-weighted mean
/// says whether the engine kept the backend as busy as the ceiling's best concurrency did; and the entries per
/// write request (<c>dynamowriter.batch.size</c>), which a ceiling of full batches is not short of.
/// </summary>
internal sealed class InFlightMeter : IDisposable
{
    private const string Instrument = "dynamowriter.dynamodb.requests.in_flight";
    private const string BatchInstrument = "dynamowriter.batch.size";
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private long _current;
    private long _max;
    private long _lastAt = Stopwatch.GetTimestamp();
    private double _weighted;
    private long _from;
    private long _writes;
    private long _written;

    public InFlightMeter()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DynamoWriterMetrics.MeterName && instrument.Name is Instrument or BatchInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, delta, _, _) => Change(delta));
        _listener.SetMeasurementEventCallback<int>((_, items, _, _) => Written(items));
        _listener.Start();
    }

    /// <summary>Starts the averaging window now (what came before, silo start, does not count).</summary>
    public void Restart(long at)
    {
        lock (_lock)
        {
            _weighted = 0;
            _from = at;
            _lastAt = at;
            _max = _current;
            _writes = 0;
            _written = 0;
        }
    }

    public string Describe(long until)
    {
        lock (_lock)
        {
            var total = Stopwatch.GetElapsedTime(_from, until).TotalSeconds;
            var mean = total <= 0 ? 0 : (_weighted + (_current * Stopwatch.GetElapsedTime(_lastAt, until).TotalSeconds)) / total;
            var perRequest = _writes == 0 ? 0 : (double)_written / _writes;
            return $"DynamoDB requests in flight: mean {mean:F1}, max {_max}; {perRequest:F1} entries per write request";
        }
    }

    private void Change(long delta)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_from != 0)
            {
                _weighted += _current * Stopwatch.GetElapsedTime(_lastAt, now).TotalSeconds;
                _lastAt = now;
            }

            _current += delta;
            _max = Math.Max(_max, _current);
        }
    }

    private void Written(int items)
    {
        // 0 is a read (the check after a retried put), not a write.
        if (items > 0)
        {
            lock (_lock)
            {
                _writes++;
                _written += items;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
