namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// Exponential backoff with full jitter: before retry <c>n</c> (1-based) wait a random time in
/// <c>[0, min(cap, base × 2^(n-1)))</c>. The delay and the random source are replaceable for tests.
/// </summary>
internal sealed class Backoff
{
    public static readonly TimeSpan DefaultBase = TimeSpan.FromMilliseconds(50);

    private readonly TimeSpan _base;
    private readonly TimeSpan _cap;
    private readonly Func<double> _random;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public Backoff(TimeSpan cap, TimeSpan? @base = null, Func<double>? random = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        _base = @base ?? DefaultBase;
        _cap = cap <= TimeSpan.Zero ? _base : cap;
        _random = random ?? Random.Shared.NextDouble;
        _delay = delay ?? Task.Delay;
    }

    /// <summary>The ceiling of the wait before retry <paramref name="retry"/> (1-based).</summary>
    public TimeSpan Ceiling(int retry)
    {
        var shift = Math.Clamp(retry - 1, 0, 30);
        var ticks = _base.Ticks * (1L << shift);
        return ticks <= 0 || ticks > _cap.Ticks ? _cap : TimeSpan.FromTicks(ticks);
    }

    public TimeSpan Next(int retry) => TimeSpan.FromTicks((long)(Ceiling(retry).Ticks * Math.Clamp(_random(), 0, 1)));

    public Task WaitAsync(int retry, CancellationToken ct) => _delay(Next(retry), ct);
}
