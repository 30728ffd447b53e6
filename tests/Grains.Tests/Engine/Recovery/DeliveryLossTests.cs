using Amazon.DynamoDBv2;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace DynamoWriter.Grains.Tests.Engine.Recovery;

/// <summary>
/// Work Orleans delivered but nobody made durable is never lost: entries stay pending in Redis until a
/// writer acknowledges them, and the provider reads them again (claim, or the pending re-read).
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeliveryLossTests
{
    private static DynamoWriterOptions ClaimingOptions(string stream)
    {
        var options = WriterSilo.NewOptions(stream);
        options.Stream.ClaimInterval = TimeSpan.FromSeconds(1);
        options.Stream.ClaimMinIdle = TimeSpan.FromSeconds(1);
        return options;
    }

    private static async Task ProduceAsync(TestRedis redis, string stream, int count, string prefix = "k")
    {
        for (var i = 0; i < count; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"{prefix}{i}"), new("n", $"{i}")]);
        }
    }

    private static async Task AssertAllWrittenOnceAsync(IAmazonDynamoDB dynamo, TestRedis redis, WriterSilo silo, string stream, int count)
    {
        var options = silo.Options;
        await Eventually.WaitAsync(() => redis.PendingAsync(stream, options.Stream.Group), n => n == 0, EngineKit.Deadline, "nothing pending");
        var keys = (await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName)).Select(i => i["pk"].S).ToHashSet();
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"k{i}").ToHashSet(), keys);
        Assert.Equal(count, silo.Totals.Written);
        Assert.Equal(0, silo.Totals.DeadLettered);
        Assert.Equal(0, await redis.XLenAsync(options.Stream.DeadLetter.KeyFor(stream)));
        var all = await redis.AllAsync(stream);
        await EngineKit.WaitForCheckpointAsync(dynamo, options, stream, count, all[^1].Id);
    }

    [Fact]
    public async Task An_activation_without_an_observer_loses_nothing_the_entries_are_claimed_again_once_it_attaches()
    {
        var stream = TestServers.Unique("noobs");
        var options = ClaimingOptions(stream);
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        await using var silo = await WriterSilo.StartAsync(options);
        var skip = true;
        var asked = 0;
        silo.Context.SkipSubscription = s =>
        {
            if (s != stream)
            {
                return false;
            }

            Interlocked.Increment(ref asked);
            return Volatile.Read(ref skip);
        };

        const int count = 20;
        await ProduceAsync(redis, stream, count);

        // Orleans drops the batches (no observer); they stay pending and are claimed again, and dropped again.
        await Eventually.WaitAsync(() => Task.FromResult(silo.Logs.Count(1040, stream)), n => n >= 1, EngineKit.Deadline, "a claim of the dropped entries");
        Assert.Equal(count, await redis.PendingAsync(stream, options.Stream.Group));
        Assert.Equal(0, silo.Totals.Written);
        Assert.True(Volatile.Read(ref asked) >= 2, $"SkipSubscription asked {asked} times");

        // The observer attaches (OnSubscribed, on the next batch): the next claim writes everything.
        Volatile.Write(ref skip, false);
        await Eventually.WaitAsync(() => Task.FromResult(silo.Totals.Acknowledged), n => n >= count, EngineKit.Deadline, "all entries acknowledged");
        await AssertAllWrittenOnceAsync(dynamo, redis, silo, stream, count);
    }

    [Fact]
    public async Task An_activation_that_skips_subscribing_on_activation_is_attached_by_OnSubscribed_without_waiting_for_claims()
    {
        var stream = TestServers.Unique("onsub");
        var options = WriterSilo.NewOptions(stream);
        // No claim during the test: only the OnSubscribed fallback can get the entries written.
        options.Stream.ClaimInterval = TimeSpan.FromMinutes(10);
        options.Stream.ClaimMinIdle = TimeSpan.FromMinutes(10);
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        await using var silo = await WriterSilo.StartAsync(options);
        var calls = 0;
        // The first question comes from OnActivateAsync (skip), every later one from OnSubscribed (attach).
        silo.Context.SkipSubscription = s => s == stream && Interlocked.Increment(ref calls) == 1;

        const int count = 20;
        await ProduceAsync(redis, stream, count);
        await Eventually.WaitAsync(() => Task.FromResult(silo.Totals.Acknowledged), n => n >= count, TimeSpan.FromSeconds(30), "all entries acknowledged without claims");
        Assert.True(Volatile.Read(ref calls) >= 2, $"SkipSubscription asked {calls} times: OnSubscribed never ran");
        Assert.Equal(0, silo.Logs.Count(1040, stream));
        await AssertAllWrittenOnceAsync(dynamo, redis, silo, stream, count);
    }

    [Fact]
    public async Task Entries_whose_write_failed_stay_pending_and_are_read_again_and_written_once()
    {
        var stream = TestServers.Unique("flaky");
        var options = ClaimingOptions(stream);
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        var failures = new FailingWrites(stream, failCalls: 2);
        await using var silo = await WriterSilo.StartAsync(options, silo => silo.Services.AddSingleton<Func<TableKeySchema, IItemWriter>>(sp => schema =>
            failures.Wrap(ItemWriterFactory.Create(sp.GetRequiredService<IAmazonDynamoDB>(), schema, options.DynamoDB, sp.GetRequiredService<DynamoWriterMetrics>()))));

        const int count = 30;
        await ProduceAsync(redis, stream, count);
        await Eventually.WaitAsync(() => Task.FromResult(silo.Totals.Acknowledged), n => n >= count, EngineKit.Deadline, "all entries acknowledged");
        Assert.Equal(2, failures.Failed);
        Assert.True(silo.Logs.Count(1023, stream) >= 2, "BatchFailed logged for each failed write");
        await AssertAllWrittenOnceAsync(dynamo, redis, silo, stream, count);
        Assert.Equal(count, silo.Totals.Acknowledged);
    }

    [Fact]
    public async Task A_batch_Orleans_gave_up_delivering_is_read_again_and_written_once()
    {
        var stream = TestServers.Unique("giveup");
        var options = WriterSilo.NewOptions(stream);
        // No claims: the pending re-read the failure handler asks for is what brings the entries back.
        options.Stream.ClaimInterval = TimeSpan.FromMinutes(10);
        options.Stream.ClaimMinIdle = TimeSpan.FromMinutes(10);
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        var hang = new FailingWrites(stream, failCalls: 1) { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var silo = await WriterSilo.StartAsync(options, silo =>
        {
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(2));
            silo.Services.Configure<StreamPullingAgentOptions>(StreamNamespaces.ProviderName, o => o.MaxEventDeliveryTime = TimeSpan.FromSeconds(3));
            silo.Services.AddSingleton<Func<TableKeySchema, IItemWriter>>(sp => schema =>
                hang.Wrap(ItemWriterFactory.Create(sp.GetRequiredService<IAmazonDynamoDB>(), schema, options.DynamoDB, sp.GetRequiredService<DynamoWriterMetrics>())));
        });

        const int count = 10;
        await ProduceAsync(redis, stream, count);
        // The first write hangs: the delivery times out, is retried, and Orleans gives up on it.
        await Eventually.WaitAsync(() => Task.FromResult(silo.Logs.Contains(1070, stream)), found => found, EngineKit.Deadline, "Orleans gave up delivering (1070)");
        hang.Hold.SetResult(); // the hung write now fails: nothing of it was acknowledged
        await Eventually.WaitAsync(() => Task.FromResult(silo.Totals.Acknowledged), n => n >= count, EngineKit.Deadline, "all entries acknowledged");
        Assert.Equal(1, hang.Failed);
        await AssertAllWrittenOnceAsync(dynamo, redis, silo, stream, count);
    }

    [Fact]
    public async Task Entries_waiting_behind_a_long_write_are_neither_claimed_nor_counted_as_deliveries()
    {
        var stream = TestServers.Unique("held");
        var options = ClaimingOptions(stream);
        // Without the keep before each claim pass, every pass would take the waiting entries and count a
        // delivery: two passes would be enough to dead-letter them.
        options.Stream.MaxDeliveries = 2;
        await using var redis = EngineKit.Redis();
        using var dynamo = TestTables.Client();
        var slow = new SlowFirstWrite(stream, TimeSpan.FromSeconds(5));
        await using var silo = await WriterSilo.StartAsync(options, silo => silo.Services.AddSingleton<Func<TableKeySchema, IItemWriter>>(sp => schema =>
            slow.Wrap(ItemWriterFactory.Create(sp.GetRequiredService<IAmazonDynamoDB>(), schema, options.DynamoDB, sp.GetRequiredService<DynamoWriterMetrics>()))));

        await ProduceAsync(redis, stream, 10);
        await slow.Started.Task.WaitAsync(EngineKit.Deadline);
        // These wait in Orleans' cache behind the slow write, idle far longer than ClaimMinIdle.
        for (var i = 10; i < 30; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}"), new("n", $"{i}")]);
        }

        await Eventually.WaitAsync(() => Task.FromResult(silo.Totals.Acknowledged), n => n >= 30, EngineKit.Deadline, "all entries acknowledged");
        await AssertAllWrittenOnceAsync(dynamo, redis, silo, stream, 30);
        Assert.Equal(0, silo.Logs.Count(1040, stream));
        Assert.Equal(30, silo.Totals.Read);
    }

    /// <summary>Wraps the real writer; the first write of one stream takes <c>delay</c> before it goes through.</summary>
    private sealed class SlowFirstWrite(string stream, TimeSpan delay)
    {
        private readonly string _stream = stream;
        private readonly TimeSpan _delay = delay;
        private int _calls;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IItemWriter Wrap(IItemWriter inner) => new Writer(this, inner);

        private sealed class Writer(SlowFirstWrite owner, IItemWriter inner) : IItemWriter
        {
            public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<WriteItem> items, CancellationToken ct)
            {
                if (items.Any(i => i.Entry.Stream == owner._stream) && Interlocked.Increment(ref owner._calls) == 1)
                {
                    owner.Started.TrySetResult();
                    await Task.Delay(owner._delay, ct); // fault injection: a DynamoDB request that takes its time
                }

                return await inner.WriteAsync(items, ct);
            }
        }
    }

    /// <summary>Wraps the real writer; the first <c>failCalls</c> writes of one stream throw (after <see cref="Hold"/>, if set).</summary>
    private sealed class FailingWrites(string stream, int failCalls)
    {
        private readonly string _stream = stream;
        private readonly int _failCalls = failCalls;
        private int _calls;
        private int _failed;

        public TaskCompletionSource? Hold { get; init; }

        public int Failed => Volatile.Read(ref _failed);

        public IItemWriter Wrap(IItemWriter inner) => new Writer(this, inner);

        private sealed class Writer(FailingWrites owner, IItemWriter inner) : IItemWriter
        {
            public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<WriteItem> items, CancellationToken ct)
            {
                if (items.Any(i => i.Entry.Stream == owner._stream) && Interlocked.Increment(ref owner._calls) <= owner._failCalls)
                {
                    if (owner.Hold is { } hold)
                    {
                        await hold.Task.WaitAsync(ct);
                    }

                    Interlocked.Increment(ref owner._failed);
                    throw new InvalidOperationException("injected: the writer failed");
                }

                return await inner.WriteAsync(items, ct);
            }
        }
    }
}
