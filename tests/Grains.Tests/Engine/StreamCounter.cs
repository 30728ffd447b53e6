using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;

namespace DynamoWriter.Grains.Tests.Engine;

/// <summary>Sums one of DynamoWriter's counters for one stream, from whichever engine reports it, as an exporter would see it.</summary>
internal sealed class StreamCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<long> _values = new();

    public StreamCounter(string instrumentName, string stream)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DynamoWriterMetrics.MeterName && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "stream" && Equals(tag.Value, stream))
                {
                    _values.Enqueue(value);
                }
            }
        });
        _listener.Start();
    }

    public long Total => _values.Sum();

    public void Dispose() => _listener.Dispose();
}
