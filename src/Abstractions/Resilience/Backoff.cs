namespace DynamoWriter.Resilience;

/// <summary>
/// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
/// a random wait between zero and min(cap, base * 2^attempt). Full jitter spreads the retries of many
/// partitions and nodes so they do not hit a recovering backend in lock-step.
/// </summary>
public static class Backoff
{
    public static readonly TimeSpan DefaultBase = TimeSpan.FromMilliseconds(50);

    /// <summary>The ceiling for <paramref name="attempt"/> (0-based) before jitter.</summary>
    public static TimeSpan Ceiling(int attempt, TimeSpan cap, TimeSpan? baseDelay = null)
    {
        var b = (baseDelay ?? DefaultBase).TotalMilliseconds;
        var exp = b * Math.Pow(2, Math.Clamp(attempt, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(cap.TotalMilliseconds, exp));
    }

    /// <summary>A full-jitter delay for <paramref name="attempt"/> (0-based), never above <paramref name="cap"/>.</summary>
    public static TimeSpan FullJitter(int attempt, TimeSpan cap, TimeSpan? baseDelay = null) =>
        TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Ceiling(attempt, cap, baseDelay).TotalMilliseconds);
}
