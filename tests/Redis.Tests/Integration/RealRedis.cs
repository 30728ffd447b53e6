using DynamoWriter.Tests;

namespace DynamoWriter.Redis.Tests.Integration;

internal static class RealRedis
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A client of the shared server that ./test.sh started; fails when it was not started.</summary>
    public static RedisClient Client(Action<RedisClientOptions>? configure = null)
    {
        var options = new RedisClientOptions
        {
            Address = TestServers.RedisAddress,
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(100),
        };
        configure?.Invoke(options);
        return new RedisClient(options);
    }

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Deadline);

    public static Task Within(this Task task) => task.WaitAsync(Deadline);
}
