using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace DynamoWriter.Grains.Tests.Engine.Partitions;

/// <summary>
/// A writer held by DynamoDB stops its stream's reading at the queue cache's bound, so a backlog waits in
/// Redis, not in memory, and reading goes on by itself once the writer lets go.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReadBoundTests
{
    /// <summary>Writes nothing until <see cref="Release"/>, then reports every item written.</summary>
    private sealed class HeldWriter : IItemWriter
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Release() => _released.TrySetResult();

        public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<WriteItem> items, CancellationToken ct)
        {
            Interlocked.Increment(ref _calls);
            await _released.Task.WaitAsync(ct);
            return [.. items.Select(_ => WriteOutcome.Written)];
        }
    }

    [Fact]
    public async Task A_held_writer_keeps_its_stream_to_the_cached_reads_and_the_rest_is_read_when_it_lets_go()
    {
        var stream = TestServers.Unique("bound");
        var options = WriterSilo.NewOptions(stream);
        options.Stream.ReadCount = 5;
        const int count = 60;
        await using var redis = EngineKit.Redis();
        for (var i = 0; i < count; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"b{i}")]);
        }

        var writer = new HeldWriter();
        Func<TableKeySchema, IItemWriter> writers = _ => writer;
        await using var silo = await WriterSilo.StartAsync(options, b => b.Services.AddSingleton(writers));

        await Eventually.WaitAsync(() => Task.FromResult(writer.Calls), n => n >= 1, EngineKit.Deadline, "the first write under way");
        // Many pulling periods and poll intervals: long enough for reads past the bound to show.
        await Task.Delay(TimeSpan.FromSeconds(1));
        // One read being written and the rest of the cache: the read in the writer's hands is still cached.
        Assert.Equal(Streaming.Redis.Hosting.SiloBuilderExtensions.DefaultCacheSize * options.Stream.ReadCount, silo.Totals.Read);
        Assert.Equal(0, silo.Totals.Acknowledged);

        writer.Release();
        await Eventually.WaitAsync(() => Task.FromResult(silo.Totals.Acknowledged), n => n >= count, EngineKit.Deadline, "every entry acknowledged");
        Assert.Equal(count, silo.Totals.Read);
        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
    }
}
