using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using DynamoWriter.Diagnostics;

namespace DynamoWriter.Silo.Http;

/// <summary>
/// Collects the measurements of the DynamoWriter meter(s) with a <see cref="MeterListener"/> and writes them
/// in the Prometheus text exposition format 0.0.4: counters as <c>counter</c> (<c>_total</c>), up-down
/// counters and gauges as <c>gauge</c>, histograms as cumulative <c>_bucket{le}</c> plus <c>_sum</c> and
/// <c>_count</c> with the instrument's advised bucket boundaries. Tags become labels.
/// </summary>
/// <remarks>
/// Only the given <see cref="Meter"/> instances are listened to (by identity, not by name), so two engines
/// or two test hosts in one process never mix their numbers.
/// </remarks>
internal sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>OpenTelemetry's default explicit bucket boundaries, for histograms without advice.</summary>
    internal static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly HashSet<Meter> _meters;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly Lock _collecting = new();

    public PrometheusExporter(DynamoWriterMetrics metrics)
        : this([metrics.Meter])
    {
    }

    public PrometheusExporter(IEnumerable<Meter> meters)
    {
        _meters = [.. meters];
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (_meters.Contains(instrument.Meter) && Family.Create(instrument) is { } family)
                {
                    _families[instrument] = family;
                    listener.EnableMeasurementEvents(instrument, family);
                }
            },
            MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out Family? _),
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((Family)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>The exposition of everything measured so far; observable instruments are observed now.</summary>
    public string Collect()
    {
        lock (_collecting)
        {
            foreach (var family in _families.Values)
            {
                family.BeginObservation();
            }

            _listener.RecordObservableInstruments();

            var sb = new StringBuilder(4096);
            // Instruments that map to one name (the same instrument in two meters) form one family.
            foreach (var group in _families.Values.GroupBy(f => f.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Write(sb, group.ToList());
            }

            return sb.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private static void Write(StringBuilder sb, List<Family> families)
    {
        var first = families[0];
        var help = first.Help;
        sb.Append("# HELP ").Append(first.Name).Append(' ').Append(PrometheusNames.EscapeHelp(help)).Append('\n');
        sb.Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');

        if (first.Buckets is { } bounds)
        {
            var merged = new SortedDictionary<string, (Labels Labels, long[] Counts, double Sum, long Count)>(StringComparer.Ordinal);
            foreach (var family in families.Where(f => f.Buckets is not null && f.Buckets.AsSpan().SequenceEqual(bounds)))
            {
                foreach (var series in family.Snapshot())
                {
                    var (counts, sum, count) = series.Histogram!.Value;
                    if (merged.TryGetValue(series.Labels.Key, out var existing))
                    {
                        for (var i = 0; i < counts.Length; i++)
                        {
                            existing.Counts[i] += counts[i];
                        }

                        merged[series.Labels.Key] = (existing.Labels, existing.Counts, existing.Sum + sum, existing.Count + count);
                    }
                    else
                    {
                        merged[series.Labels.Key] = (series.Labels, counts, sum, count);
                    }
                }
            }

            foreach (var (labels, counts, sum, count) in merged.Values)
            {
                long cumulative = 0;
                for (var i = 0; i <= bounds.Length; i++)
                {
                    cumulative += counts[i];
                    var le = i < bounds.Length ? PrometheusNames.FormatValue(bounds[i]) : "+Inf";
                    sb.Append(first.Name).Append("_bucket").Append(labels.Format(("le", le))).Append(' ')
                        .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                sb.Append(first.Name).Append("_sum").Append(labels.Format()).Append(' ').Append(PrometheusNames.FormatValue(sum)).Append('\n');
                sb.Append(first.Name).Append("_count").Append(labels.Format()).Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            return;
        }

        var values = new SortedDictionary<string, (Labels Labels, double Value)>(StringComparer.Ordinal);
        foreach (var family in families)
        {
            foreach (var series in family.Snapshot())
            {
                values[series.Labels.Key] = values.TryGetValue(series.Labels.Key, out var existing) && family.Additive
                    ? (existing.Labels, existing.Value + series.Value)
                    : (series.Labels, series.Value);
            }
        }

        foreach (var (labels, value) in values.Values)
        {
            sb.Append(first.Name).Append(labels.Format()).Append(' ').Append(PrometheusNames.FormatValue(value)).Append('\n');
        }
    }

    /// <summary>A label set: sanitised names in order, values as given, and a key that identifies it.</summary>
    internal sealed class Labels
    {
        private Labels(IReadOnlyList<(string Name, string Value)> pairs, string key)
        {
            Pairs = pairs;
            Key = key;
        }

        public IReadOnlyList<(string Name, string Value)> Pairs { get; }

        public string Key { get; }

        public static Labels From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return Empty;
            }

            var pairs = new List<(string Name, string Value)>(tags.Length);
            foreach (var tag in tags)
            {
                var name = PrometheusNames.LabelName(tag.Key);
                var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
                // Two tags that sanitise to one label name are joined with ';' (OpenTelemetry's rule).
                var existing = pairs.FindIndex(p => p.Name == name);
                if (existing >= 0)
                {
                    pairs[existing] = (name, pairs[existing].Value + ";" + value);
                }
                else
                {
                    pairs.Add((name, value));
                }
            }

            pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var key = new StringBuilder();
            foreach (var (name, value) in pairs)
            {
                key.Append(name).Append('\u0001').Append(value).Append('\u0002');
            }

            return new Labels(pairs, key.ToString());
        }

        public static Labels Empty { get; } = new([], "");

        /// <summary><c>{a="1",b="2"}</c>, with <paramref name="extra"/> (the <c>le</c> label) last; empty when there are none.</summary>
        public string Format((string Name, string Value)? extra = null)
        {
            if (Pairs.Count == 0 && extra is null)
            {
                return "";
            }

            var sb = new StringBuilder("{");
            foreach (var (name, value) in Pairs)
            {
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }

                sb.Append(name).Append("=\"").Append(PrometheusNames.EscapeLabelValue(value)).Append('"');
            }

            if (extra is { } e)
            {
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }

                sb.Append(e.Name).Append("=\"").Append(PrometheusNames.EscapeLabelValue(e.Value)).Append('"');
            }

            return sb.Append('}').ToString();
        }
    }

    private sealed record SeriesSnapshot(Labels Labels, double Value, (long[] Counts, double Sum, long Count)? Histogram);

    /// <summary>One instrument's aggregation: a series per label set.</summary>
    private sealed class Family
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly bool _observable;

        private Family(string name, string type, string help, bool additive, bool observable, double[]? buckets)
        {
            Name = name;
            Type = type;
            Help = help;
            Additive = additive;
            _observable = observable;
            Buckets = buckets;
        }

        public string Name { get; }

        public string Type { get; }

        public string Help { get; }

        /// <summary>Measurements add up (counters, up-down counters); otherwise the last one is the value.</summary>
        public bool Additive { get; }

        public double[]? Buckets { get; }

        public static Family? Create(Instrument instrument)
        {
            if (!instrument.GetType().IsGenericType)
            {
                return null;
            }

            var definition = instrument.GetType().GetGenericTypeDefinition();
            var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
            if (definition == typeof(Counter<>))
            {
                return new Family(PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter: true), "counter", help, additive: true, observable: false, null);
            }

            if (definition == typeof(ObservableCounter<>))
            {
                return new Family(PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter: true), "counter", help, additive: false, observable: true, null);
            }

            if (definition == typeof(UpDownCounter<>))
            {
                return new Family(PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter: false), "gauge", help, additive: true, observable: false, null);
            }

            if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>))
            {
                return new Family(PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter: false), "gauge", help, additive: false, observable: true, null);
            }

            if (definition == typeof(Gauge<>))
            {
                return new Family(PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter: false), "gauge", help, additive: false, observable: false, null);
            }

            if (definition == typeof(Histogram<>))
            {
                var buckets = AdvisedBuckets(instrument) ?? DefaultBuckets;
                return new Family(PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter: false), "histogram", help, additive: true, observable: false, buckets);
            }

            return null;
        }

        /// <summary>Observable instruments report their current values on every collection: forget the last ones.</summary>
        public void BeginObservation()
        {
            if (_observable)
            {
                _series.Clear();
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels.From(tags);
            var series = _series.GetOrAdd(labels.Key, static (_, state) => new Series(state.labels, state.buckets), (labels, buckets: Buckets));
            series.Record(value, Additive, Buckets);
        }

        public IEnumerable<SeriesSnapshot> Snapshot() => _series.Values.Select(s => s.Snapshot());
    }

    private sealed class Series(Labels labels, double[]? buckets)
    {
        private readonly Lock _gate = new();
        private readonly long[]? _counts = buckets is null ? null : new long[buckets.Length + 1];
        private double _value;
        private long _count;

        public void Record(double value, bool additive, double[]? bounds)
        {
            lock (_gate)
            {
                if (_counts is not null && bounds is not null)
                {
                    // "le" is inclusive: a value equal to a boundary counts in that bucket.
                    var index = Array.BinarySearch(bounds, value);
                    _counts[index >= 0 ? index : ~index]++;
                    _value += value;
                    _count++;
                }
                else if (additive)
                {
                    _value += value;
                }
                else
                {
                    _value = value;
                }
            }
        }

        public SeriesSnapshot Snapshot()
        {
            lock (_gate)
            {
                return new SeriesSnapshot(labels, _value, _counts is null ? null : ((long[])_counts.Clone(), _value, _count));
            }
        }
    }

    private static double[]? AdvisedBuckets(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<short> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<byte> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<decimal> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };
}
