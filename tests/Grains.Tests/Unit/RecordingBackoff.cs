using System.Collections.Concurrent;

namespace DynamoWriter.Grains.Tests.Unit;

/// <summary>A backoff that records the waits it is asked for and does not wait.</summary>
internal sealed class RecordingBackoff
{
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public Backoff Create(TimeSpan cap, double random = 0.999999) =>
        new(cap, random: () => random, delay: (d, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            Waits.Enqueue(d);
            return Task.CompletedTask;
        });
}
