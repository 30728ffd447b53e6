using System.Globalization;
using DynamoWriter.Silo.Tests.Operations;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>
/// What one or more processes' /metrics say about queue hand-overs: how often a silo started a queue that
/// had an owner before, how long such queues went unread, and how many entries the new owners re-read.
/// </summary>
internal sealed record Handovers(double Starts, double UnownedSeconds, double UnownedAtMost, double Redelivered)
{
    public static Handovers None { get; } = new(0, 0, 0, 0);

    public static Handovers From(string exposition)
    {
        var samples = Exposition.Parse(exposition);
        var starts = Sum(samples, "dynamowriter_queue_unowned_duration_seconds_count");
        // The histogram keeps no maximum: the smallest bucket bound that holds every sample bounds it.
        var atMost = samples.Where(s => s.Name == "dynamowriter_queue_unowned_duration_seconds_bucket")
            .GroupBy(s => s.Labels["le"])
            .Select(g => (Bound: g.Key == "+Inf" ? double.PositiveInfinity : double.Parse(g.Key, CultureInfo.InvariantCulture), Count: g.Sum(s => s.Value)))
            .Where(b => b.Count >= starts).Select(b => b.Bound).DefaultIfEmpty(0).Min();
        return new(starts, Sum(samples, "dynamowriter_queue_unowned_duration_seconds_sum"), starts == 0 ? 0 : atMost,
            Sum(samples, "dynamowriter_entries_redelivered_total"));
    }

    public static Handovers operator +(Handovers a, Handovers b) =>
        new(a.Starts + b.Starts, a.UnownedSeconds + b.UnownedSeconds, Math.Max(a.UnownedAtMost, b.UnownedAtMost), a.Redelivered + b.Redelivered);

    public override string ToString() =>
        $"{Starts} starts of a queue that had an owner, unread {UnownedSeconds / Math.Max(1, Starts):F2}s on average (each at most {UnownedAtMost}s); " +
        $"{Redelivered} entries re-read from the previous owners' pending lists";

    private static double Sum(IReadOnlyList<Sample> samples, string name) => samples.Where(s => s.Name == name).Sum(s => s.Value);
}
