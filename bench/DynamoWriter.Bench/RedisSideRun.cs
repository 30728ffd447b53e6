using System.Diagnostics;

namespace DynamoWriter.Bench;

/// <summary>
/// One drain of scenario 5 (plain loop or engine with a discarding sink): its rate, and the CPU and GC work of
/// this process meanwhile. On the Redis side most of the difference between the two is garbage collection.
/// </summary>
internal sealed record RedisSideRun(double Rate, double CpuMicrosPerEntry, GcUse Gc, int Entries)
{
    /// <summary>For the engine's rounds: where its streams are (<see cref="QueueSpread"/>); the plain loop has one loop per stream.</summary>
    public string? Spread { get; init; }

    public string Describe() =>
        $"{Rate:N0}/s, {CpuMicrosPerEntry:F1} µs CPU per entry, {Gc.Describe(Entries)}" + (Spread is null ? "" : $"; {Spread}");

    /// <summary>Starts measuring now; <see cref="Meter.Stop"/> gives the run.</summary>
    public static Meter Start(int entries) => new(entries);

    internal sealed class Meter(int entries)
    {
        private readonly TimeSpan _cpu = ProcessCpu.Now();
        private readonly GcUse _gc = GcUse.Now();
        private readonly long _started = Stopwatch.GetTimestamp();

        public RedisSideRun Stop() => new(
            entries / Stopwatch.GetElapsedTime(_started).TotalSeconds,
            ProcessCpu.MicrosPerItemSince(_cpu, entries),
            GcUse.Now().Since(_gc),
            entries);
    }
}

/// <summary>Collections, pause time and allocations of this process, as a point or as the difference of two.</summary>
internal readonly record struct GcUse(int Collections, int Gen1, int Gen2, TimeSpan Pause, long AllocatedBytes)
{
    public static GcUse Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));

    public GcUse Since(GcUse before) => new(Collections - before.Collections, Gen1 - before.Gen1, Gen2 - before.Gen2, Pause - before.Pause, AllocatedBytes - before.AllocatedBytes);

    /// <summary>
    /// Allocated bytes are left out when the count went backwards: under server GC with DATAS, a 30 s latency
    /// run saw GC.GetTotalAllocatedBytes(precise: true) end lower than it started, and such a difference says nothing.
    /// </summary>
    public string Describe(int entries) =>
        $"{Collections} GCs ({Gen1} gen1, {Gen2} gen2), {Pause.TotalMilliseconds:F0} ms paused"
        + (AllocatedBytes >= 0 ? $", {AllocatedBytes / Math.Max(1, entries):N0} B allocated per entry" : "");
}
