using DynamoWriter.Options;
using DynamoWriter.Redis;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Pipeline.Health;

/// <summary>
/// The Redis connection for operations: readiness PINGs and the stream statistics behind the lag and
/// pending gauges. Short, non-blocking commands only, kept apart from the engine's connections so a
/// probe never queues behind a data command. Owned (and disposed) by the container.
/// </summary>
public sealed class OperationsRedis : IAsyncDisposable
{
    public OperationsRedis(IOptions<DynamoWriterOptions> options)
    {
        var server = options.Value.Stream.EffectiveServer;
        var clientOptions = RedisClientOptions.From(server, "dynamo-writer:operations");
        // A probe must answer fast; do not wait seconds between reconnection attempts.
        clientOptions.ConnectTimeout = HealthCheckTags.CheckTimeout;
        clientOptions.ReconnectBackoffMax = TimeSpan.FromMilliseconds(500);
        Client = new RedisClient(clientOptions);
    }

    public RedisClient Client { get; }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
