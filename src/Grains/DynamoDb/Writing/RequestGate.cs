namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// The silo's bound on DynamoDB write requests under way (<c>sc.dynamoDB.siloMaxInFlight</c>), shared by
/// every table writer. Each stream keeps its own bound (<c>maxInFlight</c>); this one stops many streams from
/// multiplying it. Past a few dozen requests a silo gains no throughput: each request holds about 25 KB of
/// SDK buffers until its answer, and with hundreds under way they outlive gen 0 and the collector pauses.
/// A slot is held for one attempt, never across a backoff.
/// </summary>
internal sealed class RequestGate
{
    public static readonly RequestGate Unlimited = new(0);

    private readonly SemaphoreSlim? _slots;

    /// <param name="limit">Requests under way at most; 0 or less: no bound.</param>
    public RequestGate(int limit)
    {
        _slots = limit > 0 ? new SemaphoreSlim(limit, limit) : null;
    }

    /// <summary>Waits for a slot (first come, first served, so no stream starves the others).</summary>
    public ValueTask EnterAsync(CancellationToken ct) =>
        _slots is null ? ValueTask.CompletedTask : new ValueTask(_slots.WaitAsync(ct));

    public void Exit() => _slots?.Release();
}
