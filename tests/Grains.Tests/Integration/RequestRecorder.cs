using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;

namespace DynamoWriter.Grains.Tests.Integration;

/// <summary>
/// Counts one table's DynamoDB retries and requests by operation, with the slowest of each, from the
/// writer's own instruments: what a failed assertion prints to say how the requests went.
/// </summary>
internal sealed class RequestRecorder : IDisposable
{
    private readonly MeterListener _listener;
    private readonly string _table;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Count, double Slowest)> _requests = new(StringComparer.Ordinal);
    private long _retries;

    public RequestRecorder(DynamoWriterMetrics metrics, string table)
    {
        _table = table;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name is "dynamowriter.dynamodb.retries" or "dynamowriter.dynamodb.request.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (Tag(tags, "table") == _table)
            {
                Interlocked.Add(ref _retries, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            if (Tag(tags, "table") != _table)
            {
                return;
            }

            var operation = Tag(tags, "operation") ?? "?";
            lock (_gate)
            {
                var (count, slowest) = _requests.GetValueOrDefault(operation);
                _requests[operation] = (count + 1, Math.Max(slowest, seconds));
            }
        });
        _listener.Start();
    }

    public override string ToString()
    {
        lock (_gate)
        {
            var requests = string.Join(", ", _requests.Select(r => $"{r.Key} {r.Value.Count} (slowest {r.Value.Slowest:F2}s)"));
            return $"retries {Interlocked.Read(ref _retries)}; requests: {requests}";
        }
    }

    public void Dispose() => _listener.Dispose();

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
