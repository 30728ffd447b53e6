using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using static DynamoWriter.Grains.Tests.Unit.TestData;

namespace DynamoWriter.Grains.Tests.Unit;

/// <summary>Deletes in the writers' requests, and <see cref="ItemReader"/>'s re-sent unprocessed keys, against a scripted DynamoDB.</summary>
[Trait("Category", "Unit")]
public sealed class DeleteWriterTests : IDisposable
{
    private readonly DynamoWriterMetrics _metrics = new();
    private readonly FakeDynamo _fake = new();
    private readonly RecordingBackoff _backoff = new();

    public void Dispose()
    {
        _metrics.Dispose();
        _fake.Dispose();
    }

    private static List<WriteItem> Items(params (string Key, bool Delete)[] entries)
    {
        var mapper = Fields();
        return entries.Select((e, i) =>
        {
            var fields = e.Delete ? new[] { ("dw:op", "delete"), ("pk", e.Key) } : [("pk", e.Key), ("v", $"{i}")];
            var r = mapper.Map(Entry($"1-{i}", fields), StringKey);
            Assert.True(r.IsSuccess, r.Error);
            return r.Item;
        }).ToList();
    }

    private IItemWriter Overwrite() =>
        ItemWriterFactory.Create(_fake, StringKey, new DynamoDbOptions { RetryMax = 5 }, _metrics, _backoff.Create(TimeSpan.FromSeconds(10)));

    private static string Key(WriteRequest w) => (w.PutRequest?.Item ?? w.DeleteRequest.Key)["pk"].S;

    [Fact]
    public async Task Overwrite_sends_one_request_per_key_the_last_operation_and_counts_the_superseded_by_their_own_operation()
    {
        var items = Items(("a", false), ("a", true), ("a", false), ("b", true), ("b", false), ("b", true));
        _fake.OnBatch = (_, _) => new BatchWriteItemResponse();

        var outcomes = await Overwrite().WriteAsync(items, default);

        var sent = FakeDynamo.Requests(Assert.Single(_fake.Batches));
        Assert.Equal(["a", "b"], sent.Select(Key));
        Assert.NotNull(sent[0].PutRequest);
        Assert.Equal("2", sent[0].PutRequest.Item["v"].S);
        Assert.Equal(["pk"], sent[1].DeleteRequest.Key.Keys); // only the key: the rest of a tombstone is not sent
        Assert.Equal(
            [WriteStatus.Written, WriteStatus.Deleted, WriteStatus.Written, WriteStatus.Deleted, WriteStatus.Written, WriteStatus.Deleted],
            outcomes.Select(o => o.Status));
    }

    [Fact]
    public async Task Overwrite_resends_unprocessed_deletes()
    {
        var items = Items(("a", true), ("b", false), ("c", true));
        _fake.OnBatch = (r, n) => n == 1 ? FakeDynamo.Unprocessed("t", FakeDynamo.Requests(r).Where(w => w.DeleteRequest is not null)) : new BatchWriteItemResponse();

        var outcomes = await Overwrite().WriteAsync(items, default);

        Assert.Equal([WriteStatus.Deleted, WriteStatus.Written, WriteStatus.Deleted], outcomes.Select(o => o.Status));
        Assert.Equal(["a", "c"], FakeDynamo.Requests(_fake.Batches.ToArray()[1]).Select(Key));
        Assert.Single(_backoff.Waits);
    }

    [Fact]
    public async Task Skip_existing_deletes_unconditionally_with_only_the_key()
    {
        _fake.OnDelete = (_, _) => new DeleteItemResponse();
        var writer = ItemWriterFactory.Create(_fake, StringKey, new DynamoDbOptions { WritePolicy = WritePolicy.SkipExisting }, _metrics);

        var outcomes = await writer.WriteAsync(Items(("a", true)), default);

        Assert.Equal(WriteStatus.Deleted, Assert.Single(outcomes).Status);
        var request = Assert.Single(_fake.Deletes);
        Assert.Null(request.ConditionExpression);
        Assert.Equal("a", Assert.Single(request.Key).Value.S);
    }

    [Fact]
    public async Task Newer_wins_with_entry_id_versions_deletes_only_an_older_item_and_a_failed_condition_is_skipped()
    {
        _fake.OnDelete = (_, n) => n == 1 ? new DeleteItemResponse() : throw new ConditionalCheckFailedException("newer");
        var mapper = Fields(WritePolicy.NewerWins);
        var items = new[] { "1-0", "2-0" }.Select((id, i) => mapper.Map(Entry(id, ("dw:op", "delete"), ("pk", $"k{i}")), StringKey).Item!).ToList();
        var writer = ItemWriterFactory.Create(_fake, StringKey, new DynamoDbOptions { WritePolicy = WritePolicy.NewerWins, MaxInFlight = 1 }, _metrics);

        var outcomes = await writer.WriteAsync(items, default);

        Assert.Equal([WriteStatus.Deleted, WriteStatus.Skipped], outcomes.Select(o => o.Status));
        var request = _fake.Deletes.First();
        Assert.Equal("attribute_not_exists(#v) OR #v < :v", request.ConditionExpression);
        Assert.Equal("_version", request.ExpressionAttributeNames["#v"]);
        Assert.Equal(StreamEntryId.Parse("1-0").ToSortableString(), request.ExpressionAttributeValues[":v"].S);
        Assert.Equal(["pk"], request.Key.Keys);
    }

    [Fact]
    public async Task Reader_resends_unprocessed_keys_with_backoff_until_the_item_comes()
    {
        var key = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = "k" } };
        _fake.OnBatchGet = (r, n) => n <= 2
            ? new BatchGetItemResponse { UnprocessedKeys = r.RequestItems }
            : new BatchGetItemResponse { Responses = new() { ["t"] = [new() { ["pk"] = new() { S = "k" }, ["v"] = new() { S = "1" } }] } };
        var reader = new ItemReader(_fake, new DynamoDbOptions { RetryMax = 5 }, _backoff.Create(TimeSpan.FromSeconds(1)));

        var item = await reader.GetAsync("t", key, default);

        Assert.Equal("1", item!["v"].S);
        Assert.Equal(3, _fake.BatchGets.Count);
        Assert.All(_fake.BatchGets, r => Assert.True(r.RequestItems["t"].ConsistentRead));
        Assert.Equal(2, _backoff.Waits.Count);
    }

    [Fact]
    public async Task Reader_gives_up_after_RetryMax_and_answers_null_for_a_missing_item()
    {
        var key = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = "k" } };
        _fake.OnBatchGet = (r, _) => new BatchGetItemResponse { UnprocessedKeys = r.RequestItems };
        var reader = new ItemReader(_fake, new DynamoDbOptions { RetryMax = 2 }, _backoff.Create(TimeSpan.FromSeconds(1)));

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.GetAsync("t", key, default));
        Assert.Equal(3, _fake.BatchGets.Count);

        _fake.OnBatchGet = (_, _) => new BatchGetItemResponse { Responses = new() { ["t"] = [] } };
        Assert.Null(await reader.GetAsync("t", key, default));
    }

    [Fact]
    public void Reader_converts_the_key_text_to_the_key_type()
    {
        Assert.Equal("12", ItemReader.KeyFor(NumberKey, "012", out _)!["id"].N);
        Assert.Null(ItemReader.KeyFor(NumberKey, "abc", out var error));
        Assert.Contains("must be a number", error, StringComparison.Ordinal);
        Assert.Null(ItemReader.KeyFor(Composite, "1", out error));
        Assert.Contains("range key", error, StringComparison.Ordinal);
    }
}
