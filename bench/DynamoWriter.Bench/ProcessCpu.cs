using System.Diagnostics;

namespace DynamoWriter.Bench;

/// <summary>
/// This process's CPU time: on cores shared with the servers, what the client side (ceiling, loop or engine)
/// takes from the backend.
/// </summary>
internal static class ProcessCpu
{
    public static TimeSpan Now() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Microseconds of CPU per item since <paramref name="before"/>.</summary>
    public static double MicrosPerItemSince(TimeSpan before, int items) =>
        (Now() - before).TotalMilliseconds * 1000 / Math.Max(1, items);
}
