namespace DynamoWriter.Pipeline.Partitions;

/// <summary>
/// Joins the acknowledgements of batches that finish close together into one XACK. Every caller still
/// waits until its own IDs are acknowledged; while one XACK is on the wire, the IDs of batches finishing
/// meanwhile gather for the next one. Under load this turns one XACK per 25-item batch into one per
/// several batches (fewer round trips, less work for Redis on the same cores); at a low rate each batch
/// is sent at once, so nobody waits for company.
/// </summary>
internal sealed class AckCoalescer(Func<List<string>, CancellationToken, Task> send)
{
    private readonly Lock _gate = new();
    private List<string> _ids = [];
    private List<TaskCompletionSource> _waiters = [];
    private bool _sending;

    /// <summary>Completes when <paramref name="ids"/> are acknowledged; <paramref name="ct"/> is the partition's hard deadline.</summary>
    public Task AcknowledgeAsync(List<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return Task.CompletedTask;
        }

        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _ids.AddRange(ids);
            _waiters.Add(acknowledged);
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            _ = SendLoopAsync(ct);
        }

        return acknowledged.Task;
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        while (true)
        {
            List<string> ids;
            List<TaskCompletionSource> waiters;
            lock (_gate)
            {
                if (_waiters.Count == 0)
                {
                    _sending = false;
                    return;
                }

                (ids, waiters) = (_ids, _waiters);
                (_ids, _waiters) = ([], []);
            }

            try
            {
                await send(ids, ct).ConfigureAwait(false);
                waiters.ForEach(w => w.TrySetResult());
            }
            catch (OperationCanceledException e)
            {
                waiters.ForEach(w => w.TrySetCanceled(e.CancellationToken));
            }
            catch (Exception e)
            {
                waiters.ForEach(w => w.TrySetException(e));
            }
        }
    }
}
