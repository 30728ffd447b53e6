using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Tests;
using Orleans.Storage;
using static DynamoWriter.Grains.Tests.Storage.StorageTestHelpers;

namespace DynamoWriter.Grains.Tests.Storage;

[Trait("Category", "Integration")]
public sealed class DynamoDbGrainStorageTests : IDisposable
{
    private readonly IAmazonDynamoDB _client = TestTables.Client();
    private readonly string _table = TestServers.Unique("st");

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Written_state_reads_back_in_a_new_storage_instance()
    {
        var id = Id("round-trip");
        var written = new GrainState<Counter>(new Counter { Count = 7, Note = "seven" });
        await NewStorage(_client, _table).WriteStateAsync("s", id, written);

        var read = new GrainState<Counter>();
        await NewStorage(_client, _table).ReadStateAsync("s", id, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(7, read.State!.Count);
        Assert.Equal("seven", read.State!.Note);
    }

    [Fact]
    public async Task Reading_a_missing_item_gives_the_default_state_and_no_etag()
    {
        var read = new GrainState<Counter> { ETag = "left-over", RecordExists = true };
        await NewStorage(_client, _table).ReadStateAsync("s", Id("never-written"), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.NotNull(read.State);
        Assert.Equal(0, read.State!.Count);
    }

    [Fact]
    public async Task First_write_with_no_etag_creates_the_item_and_a_second_such_write_conflicts()
    {
        var storage = NewStorage(_client, _table);
        var id = Id("first");
        var first = new GrainState<Counter>(new Counter { Count = 1 });
        await storage.WriteStateAsync("s", id, first);

        Assert.True(first.RecordExists);
        Assert.False(string.IsNullOrEmpty(first.ETag));
        var item = await RawAsync(_client, _table, DynamoDbGrainStorageOptions.DefaultKeyFor("s", id));
        Assert.NotNull(item);
        Assert.Equal(first.ETag, item[DynamoDbGrainStorage.ETagAttribute].S);

        // Another activation that believes the grain is new must not overwrite it.
        var other = new GrainState<Counter>(new Counter { Count = 99 });
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", id, other));
        Assert.Equal(first.ETag, ex.StoredEtag);
        Assert.Null(other.ETag);

        var after = await RawAsync(_client, _table, DynamoDbGrainStorageOptions.DefaultKeyFor("s", id));
        Assert.Equal(first.ETag, after![DynamoDbGrainStorage.ETagAttribute].S);
        Assert.Contains("\"count\":1", after[DynamoDbGrainStorage.StateAttribute].S, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_etag_throws_and_leaves_the_stored_item_untouched()
    {
        var storage = NewStorage(_client, _table);
        var id = Id("stale");
        var state = new GrainState<Counter>(new Counter { Count = 1 });
        await storage.WriteStateAsync("s", id, state);
        var staleETag = state.ETag;
        state.State!.Count = 2;
        await storage.WriteStateAsync("s", id, state);
        Assert.NotEqual(staleETag, state.ETag);
        var before = await RawAsync(_client, _table, DynamoDbGrainStorageOptions.DefaultKeyFor("s", id));

        var stale = new GrainState<Counter>(new Counter { Count = 3 }) { ETag = staleETag, RecordExists = true };
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", id, stale));

        Assert.Equal(state.ETag, ex.StoredEtag);
        Assert.Equal(staleETag, ex.CurrentEtag);
        Assert.Equal(staleETag, stale.ETag);
        var after = await RawAsync(_client, _table, DynamoDbGrainStorageOptions.DefaultKeyFor("s", id));
        Assert.Equal(before!.Keys.Order(), after!.Keys.Order());
        foreach (var (name, value) in before)
        {
            Assert.Equal(value.S, after[name].S);
        }
    }

    [Fact]
    public async Task Writers_racing_from_the_same_etag_exactly_one_wins()
    {
        const int Writers = 8;
        var id = Id("race");
        var seed = new GrainState<Counter>(new Counter { Count = 0 });
        await NewStorage(_client, _table).WriteStateAsync("s", id, seed);

        for (var round = 0; round < 3; round++)
        {
            var current = new GrainState<Counter>();
            await NewStorage(_client, _table).ReadStateAsync("s", id, current);
            var states = Enumerable.Range(0, Writers)
                .Select(i => new GrainState<Counter>(new Counter { Count = (round * 100) + i }) { ETag = current.ETag, RecordExists = true })
                .ToArray();
            var storages = states.Select(_ => NewStorage(_client, _table)).ToArray();

            var outcomes = await Task.WhenAll(states.Select(async (s, i) =>
            {
                try
                {
                    await storages[i].WriteStateAsync("s", id, s);
                    return true;
                }
                catch (InconsistentStateException)
                {
                    return false;
                }
            }));

            Assert.Equal(1, outcomes.Count(won => won));
            var winner = states[Array.IndexOf(outcomes, true)];
            var stored = new GrainState<Counter>();
            await NewStorage(_client, _table).ReadStateAsync("s", id, stored);
            Assert.Equal(winner.ETag, stored.ETag);
            Assert.Equal(winner.State!.Count, stored.State!.Count);
        }
    }

    [Fact]
    public async Task Clear_deletes_the_item_checking_the_etag()
    {
        var storage = NewStorage(_client, _table);
        var id = Id("clear");
        var pk = DynamoDbGrainStorageOptions.DefaultKeyFor("s", id);
        var state = new GrainState<Counter>(new Counter { Count = 5 });
        await storage.WriteStateAsync("s", id, state);
        var stale = new GrainState<Counter>(new Counter()) { ETag = "not-the-stored-one", RecordExists = true };

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("s", id, stale));
        Assert.NotNull(await RawAsync(_client, _table, pk));

        await storage.ClearStateAsync("s", id, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Count);
        Assert.Null(await RawAsync(_client, _table, pk));

        // Cleared: the next write starts a new item.
        state.State!.Count = 6;
        await storage.WriteStateAsync("s", id, state);
        Assert.NotNull(await RawAsync(_client, _table, pk));
    }

    [Fact]
    public async Task Clear_without_delete_writes_the_default_state_as_a_new_version()
    {
        var storage = NewStorage(_client, _table, deleteOnClear: false);
        var id = Id("clear-keep");
        var state = new GrainState<Counter>(new Counter { Count = 5 });
        await storage.WriteStateAsync("s", id, state);
        var written = state.ETag;

        await storage.ClearStateAsync("s", id, state);

        Assert.False(state.RecordExists);
        Assert.NotNull(state.ETag);
        Assert.NotEqual(written, state.ETag);
        var item = await RawAsync(_client, _table, DynamoDbGrainStorageOptions.DefaultKeyFor("s", id));
        Assert.Equal(state.ETag, item![DynamoDbGrainStorage.ETagAttribute].S);
        Assert.Contains("\"count\":0", item[DynamoDbGrainStorage.StateAttribute].S, StringComparison.Ordinal);

        state.State!.Count = 1;
        await storage.WriteStateAsync("s", id, state);
    }

    [Fact]
    public async Task A_missing_table_is_created_once_even_by_concurrent_creators()
    {
        var logger = new ListLogger<DynamoDbGrainStorage>();
        var storages = Enumerable.Range(0, 4).Select(_ => NewStorage(_client, _table, logger: logger)).ToArray();

        await Task.WhenAll(storages.Select(s => s.EnsureTableAsync(default)));

        var table = (await _client.DescribeTableAsync(_table)).Table;
        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode);
        var key = Assert.Single(table.KeySchema);
        Assert.Equal(DynamoDbGrainStorage.KeyAttribute, key.AttributeName);
        Assert.Equal(KeyType.HASH, key.KeyType);
        var created = Assert.Single(logger.Entries, e => e.Id.Id == 1080);
        Assert.Contains(_table, created.Message, StringComparison.Ordinal);

        var state = new GrainState<Counter>(new Counter { Count = 1 });
        await storages[3].WriteStateAsync("s", Id("after-create"), state);
    }

    [Fact]
    public async Task A_missing_table_is_an_error_when_creating_is_off()
    {
        var storage = NewStorage(_client, _table, create: false);

        var ex = await Assert.ThrowsAsync<DynamoDbGrainStorageException>(() => storage.ReadStateAsync("s", Id("x"), new GrainState<Counter>()));
        Assert.Contains(_table, ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DynamoDbGrainStorageException>(() => storage.WriteStateAsync("s", Id("x"), new GrainState<Counter>(new Counter())));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _client.DescribeTableAsync(_table));
    }

    [Fact]
    public async Task The_state_attribute_is_camel_case_json_that_ReadItemAsync_reads()
    {
        var id = Id("json");
        var pk = DynamoDbGrainStorageOptions.DefaultKeyFor("s", id);
        var state = new GrainState<Counter>(new Counter { Count = 12, Note = "twelve" });
        await NewStorage(_client, _table).WriteStateAsync("s", id, state);

        var item = await RawAsync(_client, _table, pk);
        using (var json = JsonDocument.Parse(item![DynamoDbGrainStorage.StateAttribute].S))
        {
            Assert.Equal(12, json.RootElement.GetProperty("count").GetInt32());
            Assert.Equal("twelve", json.RootElement.GetProperty("note").GetString());
        }

        Assert.True(DateTimeOffset.TryParseExact(item[DynamoDbGrainStorage.UpdatedAtAttribute].S, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));

        var (read, etag) = await DynamoDbGrainStorage.ReadItemAsync<Counter>(_client, _table, pk, default);
        Assert.Equal(state.ETag, etag);
        Assert.Equal(12, read!.Count);
        Assert.Equal("twelve", read.Note);

        Assert.Equal((null, null), await DynamoDbGrainStorage.ReadItemAsync<Counter>(_client, _table, "counter/nobody", default));
        Assert.Equal((null, null), await DynamoDbGrainStorage.ReadItemAsync<Counter>(_client, TestServers.Unique("st"), pk, default));
    }

    [Fact]
    public async Task The_key_function_names_the_item()
    {
        var options = NewOptions(_table);
        options.KeyFor = (stateName, grainId) => $"custom/{stateName}/{grainId.Key}";
        var storage = new DynamoDbGrainStorage("test", options, _client, new ListLogger<DynamoDbGrainStorage>());

        await storage.WriteStateAsync("progress", Id("k1"), new GrainState<Counter>(new Counter { Count = 3 }));

        var (read, _) = await DynamoDbGrainStorage.ReadItemAsync<Counter>(_client, _table, "custom/progress/k1", default);
        Assert.Equal(3, read!.Count);
        Assert.Equal("counter/k1", DynamoDbGrainStorageOptions.DefaultKeyFor("progress", Id("k1")));
    }

    [Fact]
    public async Task Throttled_writes_are_retried_then_succeed()
    {
        using var flaky = new FlakyDynamo();
        var logger = new ListLogger<DynamoDbGrainStorage>();
        var storage = NewStorage(flaky, _table, logger: logger);
        await storage.EnsureTableAsync(default);
        flaky.FailPutsBefore = 2;

        var state = new GrainState<Counter>(new Counter { Count = 4 });
        await storage.WriteStateAsync("s", Id("throttled"), state);

        Assert.Equal(3, flaky.Puts);
        Assert.Equal(2, logger.Entries.Count(e => e.Id.Id == 1082));
        var (read, etag) = await DynamoDbGrainStorage.ReadItemAsync<Counter>(_client, _table, DynamoDbGrainStorageOptions.DefaultKeyFor("s", Id("throttled")), default);
        Assert.Equal(state.ETag, etag);
        Assert.Equal(4, read!.Count);
    }

    [Fact]
    public async Task Throttling_past_the_attempts_fails_with_the_cause()
    {
        using var flaky = new FlakyDynamo();
        var storage = NewStorage(flaky, _table);
        await storage.EnsureTableAsync(default);
        flaky.FailPutsBefore = 100;

        var state = new GrainState<Counter>(new Counter { Count = 4 });
        var ex = await Assert.ThrowsAsync<DynamoDbGrainStorageException>(() => storage.WriteStateAsync("s", Id("throttled-out"), state));

        Assert.IsType<ProvisionedThroughputExceededException>(ex.InnerException);
        Assert.Equal(DynamoDbGrainStorageOptions.DefaultMaxAttempts, flaky.Puts);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task A_write_whose_answer_was_lost_is_recognised_on_retry_not_reported_as_a_conflict()
    {
        using var flaky = new FlakyDynamo();
        var logger = new ListLogger<DynamoDbGrainStorage>();
        var storage = NewStorage(flaky, _table, logger: logger);
        var id = Id("lost-answer");
        var state = new GrainState<Counter>(new Counter { Count = 1 });
        await storage.WriteStateAsync("s", id, state);
        flaky.LosePutAnswers = 1;

        state.State!.Count = 2;
        await storage.WriteStateAsync("s", id, state);

        Assert.Single(logger.Entries, e => e.Id.Id == 1086);
        var (read, etag) = await DynamoDbGrainStorage.ReadItemAsync<Counter>(_client, _table, DynamoDbGrainStorageOptions.DefaultKeyFor("s", id), default);
        Assert.Equal(state.ETag, etag);
        Assert.Equal(2, read!.Count);
    }
}
