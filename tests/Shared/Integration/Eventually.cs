namespace DynamoWriter.Tests;

/// <summary>Waits for a condition with a deadline instead of sleeping and hoping.</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = await probe();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0}s waiting for {what}; last value: {last}");
            }

            await Task.Delay(100);
            last = await probe();
        }

        return last;
    }
}
