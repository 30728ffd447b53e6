namespace DynamoWriter.Redis.Tests.Fakes;

/// <summary>Waits for a condition with a deadline instead of sleeping and hoping.</summary>
internal static class Wait
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? DefaultDeadline);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? DefaultDeadline);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }
}
