using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using static DynamoWriter.Grains.Tests.Unit.TestData;

namespace DynamoWriter.Grains.Tests.Unit;

/// <summary><c>sc.dynamoDB.siloMaxInFlight</c>: one gate bounds the requests of every writer that shares it.</summary>
[Trait("Category", "Unit")]
public sealed class RequestGateTests : IDisposable
{
    private readonly DynamoWriterMetrics _metrics = new();
    private readonly SlowDynamo _dynamo = new();
    private readonly RecordingBackoff _backoff = new();

    public void Dispose()
    {
        _metrics.Dispose();
        _dynamo.Dispose();
    }

    [Fact]
    public async Task Writers_sharing_a_gate_never_exceed_its_limit_together()
    {
        var gate = new RequestGate(5);
        var a = Writer(WritePolicy.SkipExisting, maxInFlight: 8, gate);
        var b = Writer(WritePolicy.SkipExisting, maxInFlight: 8, gate);

        var outcomes = await Task.WhenAll(a.WriteAsync(Items("a", 40), default), b.WriteAsync(Items("b", 40), default));

        Assert.All(outcomes.SelectMany(o => o), o => Assert.Equal(WriteStatus.Written, o.Status));
        Assert.Equal(80, _dynamo.Puts);
        Assert.Equal(5, _dynamo.MostAtOnce); // 16 allowed by the two writers' own bounds; the gate holds them to 5
    }

    [Fact]
    public async Task Without_a_gate_each_writer_keeps_only_its_own_bound()
    {
        var a = Writer(WritePolicy.SkipExisting, maxInFlight: 8, RequestGate.Unlimited);
        var b = Writer(WritePolicy.SkipExisting, maxInFlight: 8, RequestGate.Unlimited);

        await Task.WhenAll(a.WriteAsync(Items("a", 40), default), b.WriteAsync(Items("b", 40), default));

        Assert.InRange(_dynamo.MostAtOnce, 9, 16);
    }

    [Fact]
    public async Task A_failed_attempt_gives_its_slot_back_before_the_backoff()
    {
        var gate = new RequestGate(1);
        _dynamo.FailFirstAttempts = true; // every item fails once, transiently, then is written
        var writer = Writer(WritePolicy.SkipExisting, maxInFlight: 4, gate);

        var outcomes = await writer.WriteAsync(Items("a", 6), default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
        Assert.Equal(12, _dynamo.Puts);
        Assert.Equal(1, _dynamo.MostAtOnce);
        Assert.Equal(6, _backoff.Waits.Count);
    }

    [Fact]
    public async Task Cancelled_while_waiting_for_a_slot_takes_none()
    {
        var gate = new RequestGate(1);
        await gate.EnterAsync(default);
        using var cts = new CancellationTokenSource();
        var waiting = gate.EnterAsync(cts.Token).AsTask();
        Assert.False(waiting.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        gate.Exit();
        Assert.True(gate.EnterAsync(default).IsCompleted); // the cancelled waiter left the one slot free
    }

    private IItemWriter Writer(WritePolicy policy, int maxInFlight, RequestGate gate) =>
        ItemWriterFactory.Create(
            _dynamo,
            StringKey,
            new DynamoDbOptions { WritePolicy = policy, MaxInFlight = maxInFlight },
            _metrics,
            _backoff.Create(TimeSpan.FromSeconds(1)),
            gate);

    private static List<WriteItem> Items(string prefix, int count)
    {
        var mapper = Fields(WritePolicy.SkipExisting);
        return [.. Enumerable.Range(0, count).Select(i => mapper.Map(Entry($"1-{i}", ("pk", $"{prefix}{i}")), StringKey).Item!)];
    }

    /// <summary>Answers each PutItem after a short wait, counting how many are under way at once.</summary>
    private sealed class SlowDynamo : AmazonDynamoDBClient
    {
        private readonly HashSet<string> _failed = [];
        private int _now;
        private int _most;
        private int _puts;

        public SlowDynamo()
            : base(new BasicAWSCredentials("x", "x"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:9", MaxErrorRetry = 0 })
        {
        }

        public bool FailFirstAttempts { get; set; }

        public int MostAtOnce => Volatile.Read(ref _most);

        public int Puts => Volatile.Read(ref _puts);

        public override async Task<PutItemResponse> PutItemAsync(PutItemRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _puts);
            var now = Interlocked.Increment(ref _now);
            for (var most = Volatile.Read(ref _most); now > most; most = Volatile.Read(ref _most))
            {
                Interlocked.CompareExchange(ref _most, now, most);
            }

            try
            {
                await Task.Delay(20, cancellationToken);
                if (FailFirstAttempts)
                {
                    lock (_failed)
                    {
                        if (_failed.Add(request.Item["pk"].S))
                        {
                            throw new ProvisionedThroughputExceededException("busy");
                        }
                    }
                }

                return new PutItemResponse();
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }
}
