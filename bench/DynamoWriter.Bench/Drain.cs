namespace DynamoWriter.Bench;

/// <summary>
/// One backlog drained: timed from the first entry read, and from the silo's start; the engine's CPU per entry
/// and collections (this process, from the first read) are set beside the ceiling's, as both share the backend's cores.
/// </summary>
internal readonly record struct Drain(int Count, TimeSpan FromStart, TimeSpan FromFirstRead, string InFlight, double CpuMicrosPerEntry, GcUse Gc, string Spread)
{
    /// <summary>Entries/s from the first entry read to the last acknowledged: the figure set against a ceiling.</summary>
    public double Rate => Count / FromFirstRead.TotalSeconds;

    /// <summary>Entries/s with the silo's start-up (host start, queue balancing, first activations) included.</summary>
    public double RateFromStart => Count / FromStart.TotalSeconds;

    public string Describe() =>
        $"{Count:N0} entries: {FromFirstRead.TotalSeconds:F2} s from the first read ({Rate:N0}/s), "
        + $"{FromStart.TotalSeconds:F2} s from the silo's start ({RateFromStart:N0}/s); {InFlight}; {CpuMicrosPerEntry:F1} µs CPU per entry in this process, {Gc.Describe(Count)}; {Spread}";
}
