using System.Diagnostics.Metrics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using static DynamoWriter.Grains.Tests.Unit.TestData;

namespace DynamoWriter.Grains.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class WriterTests : IDisposable
{
    private readonly DynamoWriterMetrics _metrics = new();
    private readonly FakeDynamo _fake = new();
    private readonly RecordingBackoff _backoff = new();

    public void Dispose()
    {
        _metrics.Dispose();
        _fake.Dispose();
    }

    private static List<WriteItem> Items(WritePolicy policy, params (string Key, string Value)[] entries)
    {
        var mapper = Fields(policy, policy == WritePolicy.NewerWins ? "ver" : "");
        return entries.Select((e, i) =>
        {
            var r = mapper.Map(Entry($"1-{i}", ("pk", e.Key), ("ver", e.Value), ("value", e.Value)), StringKey);
            Assert.True(r.IsSuccess, r.Error);
            return r.Item;
        }).ToList();
    }

    private static List<WriteItem> Distinct(int count) =>
        Items(WritePolicy.Overwrite, Enumerable.Range(0, count).Select(i => ($"k{i}", $"{i}")).ToArray());

    private IItemWriter Writer(WritePolicy policy, int retryMax = 5, int batchSize = 25, TimeSpan? waitMax = null) =>
        ItemWriterFactory.Create(
            _fake,
            StringKey,
            new DynamoDbOptions { WritePolicy = policy, RetryMax = retryMax, BatchSize = batchSize, RetryWaitMax = waitMax ?? TimeSpan.FromSeconds(10), VersionField = "ver" },
            _metrics,
            _backoff.Create(waitMax ?? TimeSpan.FromSeconds(10)));

    private static string Pk(WriteRequest w) => w.PutRequest.Item["pk"].S;

    [Fact]
    public async Task Overwrite_resends_unprocessed_items_until_written()
    {
        var items = Distinct(10);
        _fake.OnBatch = (r, n) => n <= 2
            ? FakeDynamo.Unprocessed("t", FakeDynamo.Requests(r).Take(3))
            : new BatchWriteItemResponse();

        var outcomes = await Writer(WritePolicy.Overwrite).WriteAsync(items, default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
        var batches = _fake.Batches.ToArray();
        Assert.Equal(3, batches.Length);
        Assert.Equal(10, FakeDynamo.Requests(batches[0]).Count);
        Assert.Equal(["k0", "k1", "k2"], FakeDynamo.Requests(batches[1]).Select(Pk));
        Assert.Equal(["k0", "k1", "k2"], FakeDynamo.Requests(batches[2]).Select(Pk));
        Assert.Equal(2, _backoff.Waits.Count);
    }

    [Fact]
    public async Task Overwrite_gives_up_after_RetryMax_and_reports_only_the_unwritten_as_failed()
    {
        var items = Distinct(5);
        _fake.OnBatch = (r, n) => FakeDynamo.Unprocessed("t", FakeDynamo.Requests(r).Where(w => Pk(w) is "k1" or "k3"));

        var outcomes = await Writer(WritePolicy.Overwrite, retryMax: 3).WriteAsync(items, default);

        Assert.Equal(4, _fake.Batches.Count); // first attempt + 3 retries
        Assert.Equal(
            [WriteStatus.Written, WriteStatus.Failed, WriteStatus.Written, WriteStatus.Failed, WriteStatus.Written],
            outcomes.Select(o => o.Status));
        Assert.Null(outcomes[1].ErrorKind);
        Assert.Contains("unprocessed", outcomes[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backoff_grows_exponentially_and_is_capped()
    {
        _fake.OnBatch = (r, n) => FakeDynamo.Unprocessed("t", FakeDynamo.Requests(r));
        var cap = TimeSpan.FromMilliseconds(300);

        var outcomes = await Writer(WritePolicy.Overwrite, retryMax: 7, waitMax: cap).WriteAsync(Distinct(1), default);

        Assert.Equal(WriteStatus.Failed, outcomes[0].Status);
        var waits = _backoff.Waits.Select(w => Math.Round(w.TotalMilliseconds)).ToArray();
        Assert.Equal([50, 100, 200, 300, 300, 300, 300], waits);
    }

    [Fact]
    public void Backoff_is_full_jitter_within_the_ceiling()
    {
        var zero = new Backoff(TimeSpan.FromSeconds(1), random: () => 0);
        Assert.Equal(TimeSpan.Zero, zero.Next(3));
        var half = new Backoff(TimeSpan.FromSeconds(1), random: () => 0.5);
        Assert.Equal(TimeSpan.FromMilliseconds(100), half.Next(3));
        var real = new Backoff(TimeSpan.FromSeconds(1));
        for (var retry = 1; retry < 100; retry++)
        {
            var d = real.Next(retry);
            Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Throttling_exceptions_are_retried_and_counted()
    {
        long throttles = 0, retries = 0;
        using var listener = Listen(("dynamowriter.dynamodb.throttles", v => throttles += v), ("dynamowriter.dynamodb.retries", v => retries += v));
        _fake.OnBatch = (r, n) => n switch
        {
            1 => throw new ProvisionedThroughputExceededException("slow down"),
            2 => throw new AmazonDynamoDBException("busy", Amazon.Runtime.ErrorType.Sender, "ThrottlingException", "r", System.Net.HttpStatusCode.BadRequest),
            3 => throw new HttpRequestException("connection refused", new System.Net.Sockets.SocketException(111)),
            _ => new BatchWriteItemResponse(),
        };

        var outcomes = await Writer(WritePolicy.Overwrite).WriteAsync(Distinct(3), default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
        Assert.Equal(4, _fake.Batches.Count);
        Assert.Equal(2, throttles);
        Assert.Equal(3, retries);
    }

    [Fact]
    public async Task Transient_errors_after_RetryMax_fail_the_chunk()
    {
        long failures = 0;
        using var listener = Listen(("dynamowriter.dynamodb.failures", v => failures += v));
        _fake.OnBatch = (r, n) => throw new InternalServerErrorException("boom");

        var outcomes = await Writer(WritePolicy.Overwrite, retryMax: 2).WriteAsync(Distinct(3), default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Failed, o.Status));
        Assert.Equal(3, _fake.Batches.Count);
        Assert.Equal(1, failures);
    }

    [Fact]
    public async Task Permanent_non_validation_errors_fail_without_retries()
    {
        _fake.OnBatch = (r, n) => throw new ResourceNotFoundException("no table");

        var outcomes = await Writer(WritePolicy.Overwrite).WriteAsync(Distinct(2), default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Failed, o.Status));
        Assert.Single(_fake.Batches);
        Assert.Empty(_backoff.Waits);
    }

    [Fact]
    public async Task Validation_error_for_a_batch_falls_back_to_single_puts()
    {
        var items = Distinct(5);
        _fake.OnBatch = (r, n) => throw FakeDynamo.Validation("Item size has exceeded the maximum allowed size");
        _fake.OnPut = (r, n) => r.Item["pk"].S == "k2"
            ? throw FakeDynamo.Validation("Item size has exceeded the maximum allowed size")
            : new PutItemResponse();

        var outcomes = await Writer(WritePolicy.Overwrite).WriteAsync(items, default);

        Assert.Equal(
            [WriteStatus.Written, WriteStatus.Written, WriteStatus.Rejected, WriteStatus.Written, WriteStatus.Written],
            outcomes.Select(o => o.Status));
        Assert.Equal(EntryErrorKind.ValidationRejected, outcomes[2].ErrorKind);
        Assert.Contains("maximum allowed size", outcomes[2].Error, StringComparison.Ordinal);
        Assert.Equal(5, _fake.Puts.Count);
        Assert.All(_fake.Puts, p => Assert.Null(p.ConditionExpression));
    }

    [Fact]
    public async Task Chunks_respect_batch_size_and_never_repeat_a_key()
    {
        var entries = Enumerable.Range(0, 60).Select(i => ($"k{i % 40}", $"{i}")).ToArray();
        var items = Items(WritePolicy.Overwrite, entries);
        _fake.OnBatch = (r, n) => new BatchWriteItemResponse();

        var outcomes = await Writer(WritePolicy.Overwrite, batchSize: 25).WriteAsync(items, default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
        var sent = _fake.Batches.SelectMany(b => FakeDynamo.Requests(b)).ToList();
        Assert.All(_fake.Batches, b => Assert.InRange(FakeDynamo.Requests(b).Count, 1, 25));
        Assert.All(_fake.Batches, b => Assert.Equal(FakeDynamo.Requests(b).Count, FakeDynamo.Requests(b).Select(Pk).Distinct().Count()));
        Assert.Equal(40, sent.Count);

        // the later entry of each key is the one sent
        var sentValues = sent.ToDictionary(Pk, w => w.PutRequest.Item["value"].S);
        Assert.Equal("59", sentValues["k19"]);
        Assert.Equal("39", sentValues["k39"]);
    }

    [Fact]
    public async Task Overwrite_duplicate_whose_later_entry_is_rejected_writes_the_earlier_one()
    {
        var items = Items(WritePolicy.Overwrite, ("a", "1"), ("b", "2"), ("a", "bad"));
        _fake.OnBatch = (r, n) => FakeDynamo.Requests(r).Any(w => w.PutRequest.Item["value"].S == "bad")
            ? throw FakeDynamo.Validation("bad value")
            : new BatchWriteItemResponse();
        _fake.OnPut = (r, n) => r.Item["value"].S == "bad" ? throw FakeDynamo.Validation("bad value") : new PutItemResponse();

        var outcomes = await Writer(WritePolicy.Overwrite).WriteAsync(items, default);

        Assert.Equal([WriteStatus.Written, WriteStatus.Written, WriteStatus.Rejected], outcomes.Select(o => o.Status));
        var lastBatch = _fake.Batches.Last();
        Assert.Equal("1", FakeDynamo.Requests(lastBatch).Single().PutRequest.Item["value"].S);
    }

    [Fact]
    public async Task Skip_existing_puts_conditionally_and_skips_on_failed_condition()
    {
        var items = Items(WritePolicy.SkipExisting, ("a", "1"), ("b", "2"), ("a", "3"));
        _fake.OnPut = (r, n) => r.Item["pk"].S == "b" ? throw new ConditionalCheckFailedException("exists") : new PutItemResponse();

        var outcomes = await Writer(WritePolicy.SkipExisting).WriteAsync(items, default);

        Assert.Equal([WriteStatus.Written, WriteStatus.Skipped, WriteStatus.Skipped], outcomes.Select(o => o.Status));
        Assert.Equal(2, _fake.Puts.Count);
        var put = _fake.Puts.First(p => p.Item["pk"].S == "a");
        Assert.Equal("1", put.Item["value"].S);
        Assert.Equal("attribute_not_exists(#pk)", put.ConditionExpression);
        Assert.Equal("pk", put.ExpressionAttributeNames["#pk"]);
    }

    [Fact]
    public async Task Newer_wins_sends_only_the_highest_version_of_a_key()
    {
        var items = Items(WritePolicy.NewerWins, ("a", "5"), ("a", "10"), ("a", "7"), ("b", "1"));
        _fake.OnPut = (r, n) => new PutItemResponse();

        var outcomes = await Writer(WritePolicy.NewerWins).WriteAsync(items, default);

        Assert.Equal([WriteStatus.Skipped, WriteStatus.Written, WriteStatus.Skipped, WriteStatus.Written], outcomes.Select(o => o.Status));
        var put = _fake.Puts.Single(p => p.Item["pk"].S == "a");
        Assert.Equal("10", put.Item["ver"].N);
        Assert.Equal("attribute_not_exists(#pk) OR attribute_not_exists(#v) OR NOT attribute_type(#v, :n) OR #v < :v", put.ConditionExpression);
        Assert.Equal("ver", put.ExpressionAttributeNames["#v"]);
        Assert.Equal("10", put.ExpressionAttributeValues[":v"].N);
    }

    [Fact]
    public async Task Conditional_writer_retries_transient_errors_and_rejects_invalid_items()
    {
        var items = Items(WritePolicy.SkipExisting, ("a", "1"), ("b", "2"), ("c", "3"));
        var attemptsForA = 0;
        _fake.OnPut = (r, n) => r.Item["pk"].S switch
        {
            "a" when Interlocked.Increment(ref attemptsForA) < 3 => throw new RequestLimitExceededException("limit"),
            "b" => throw FakeDynamo.Validation("One or more parameter values were invalid"),
            "c" => throw new InternalServerErrorException("down"),
            _ => new PutItemResponse(),
        };

        var outcomes = await Writer(WritePolicy.SkipExisting, retryMax: 2).WriteAsync(items, default);

        Assert.Equal(WriteStatus.Written, outcomes[0].Status);
        Assert.Equal(3, attemptsForA);
        Assert.Equal(WriteOutcome.Rejected(EntryErrorKind.ValidationRejected, "One or more parameter values were invalid"), outcomes[1]);
        Assert.Equal(WriteStatus.Failed, outcomes[2].Status);
        Assert.Equal(3, _fake.Puts.Count(p => p.Item["pk"].S == "c"));
    }

    [Fact]
    public async Task Cancellation_throws_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        _fake.OnBatch = (r, n) =>
        {
            cts.Cancel();
            throw new ProvisionedThroughputExceededException("slow down");
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Writer(WritePolicy.Overwrite).WriteAsync(Distinct(3), cts.Token));
    }

    [Fact]
    public async Task Empty_input_gives_empty_output()
    {
        Assert.Empty(await Writer(WritePolicy.Overwrite).WriteAsync([], default));
        Assert.Empty(await Writer(WritePolicy.NewerWins).WriteAsync([], default));
    }

    [Fact]
    public async Task Metrics_record_duration_batch_size_and_in_flight()
    {
        var sizes = new List<long>();
        long inFlight = 0, durations = 0;
        using var listener = Listen(
            ("dynamowriter.batch.size", v => sizes.Add(v)),
            ("dynamowriter.dynamodb.requests.in_flight", v => inFlight += v),
            ("dynamowriter.dynamodb.request.duration", _ => durations++));
        _fake.OnBatch = (r, n) => new BatchWriteItemResponse();

        await Writer(WritePolicy.Overwrite, batchSize: 10).WriteAsync(Distinct(25), default);

        Assert.Equal([5, 10, 10], sizes.Order());
        Assert.Equal(0, inFlight);
        Assert.Equal(3, durations);
    }

    private MeterListener Listen(params (string Name, Action<long> OnValue)[] instruments)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, _metrics.Meter) && instruments.Any(i => i.Name == instrument.Name))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        var gate = new object();
        void On(Instrument instrument, long value)
        {
            lock (gate)
            {
                instruments.First(i => i.Name == instrument.Name).OnValue(value);
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, _, _) => On(i, v));
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => On(i, v));
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => On(i, 1));
        listener.Start();
        return listener;
    }
}
