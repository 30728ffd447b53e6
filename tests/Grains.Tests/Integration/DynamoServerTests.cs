using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using DynamoWriter.Grains.Tests.Storage;
using DynamoWriter.Tests;
using static DynamoWriter.Grains.Tests.Integration.DynamoServer;

namespace DynamoWriter.Grains.Tests.Integration;

[Trait("Category", "Integration")]
public sealed class DynamoServerTests : IDisposable
{
    private readonly IAmazonDynamoDB _client = Client();
    private readonly DynamoWriterMetrics _metrics = new();

    public void Dispose()
    {
        _client.Dispose();
        _metrics.Dispose();
    }

    private static StreamEntry Entry(string id, params (string Name, string Value)[] fields) =>
        new("s", id, fields.Select(f => new StreamField(f.Name, f.Value)).ToArray());

    private static ItemMapper FieldsMapper(DynamoDbOptions options) => new(new MappingOptions { Format = MappingFormat.Fields }, options);

    [Fact]
    public async Task Catalog_creates_a_missing_table_and_describes_its_key()
    {
        var (catalog, schema) = await NewStringTableAsync(_client);

        Assert.Equal(new KeyAttribute("pk", ScalarAttributeType.S), schema.Hash);
        Assert.Null(schema.Range);
        var described = await _client.DescribeTableAsync(schema.TableName);
        Assert.Equal(TableStatus.ACTIVE, described.Table.TableStatus);
        Assert.Same(schema, await catalog.GetSchemaAsync(schema.TableName, default));
        Assert.True(await catalog.IsReachableAsync(default));
    }

    [Fact]
    public async Task Catalog_reads_a_number_hash_and_string_range_key()
    {
        var schema = await NewCompositeTableAsync(_client);
        Assert.Equal(new KeyAttribute("id", ScalarAttributeType.N), schema.Hash);
        Assert.Equal(new KeyAttribute("sk", ScalarAttributeType.S), schema.Range);
    }

    [Fact]
    public async Task Missing_tables_are_all_named_in_one_exception()
    {
        var (_, existing) = await NewStringTableAsync(_client);
        var missing1 = TestServers.Unique("m");
        var missing2 = TestServers.Unique("m");
        var catalog = new TableCatalog(_client, TestOptions(createTable: false));

        var e = await Assert.ThrowsAsync<TableMissingException>(() => catalog.EnsureTablesAsync([existing.TableName, missing1, missing2], default));

        Assert.Equal([missing1, missing2], e.TableNames);
        Assert.Contains(missing1, e.Message, StringComparison.Ordinal);
        Assert.Contains(missing2, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(existing.TableName, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TableMissingException>(() => catalog.GetSchemaAsync(missing1, default));
    }

    [Fact]
    public async Task Ensure_tables_creates_several_at_once()
    {
        var names = new[] { TestServers.Unique("e"), TestServers.Unique("e") };
        var catalog = new TableCatalog(_client, TestOptions(createTable: true));

        await catalog.EnsureTablesAsync(names, default);

        foreach (var name in names)
        {
            Assert.Equal(TableStatus.ACTIVE, (await _client.DescribeTableAsync(name)).Table.TableStatus);
        }
    }

    [Fact]
    public async Task Unreachable_server_is_reported_not_thrown()
    {
        using var dead = DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = "127.0.0.1:9" });
        Assert.False(await new TableCatalog(dead, new DynamoDbOptions()).IsReachableAsync(default));
    }

    [Fact]
    public async Task Overwrite_writes_a_thousand_items_that_read_back_identically()
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions();
        var entries = Enumerable.Range(0, 1000)
            .Select(i => Entry($"1-{i}", ("pk", $"key-{i}"), ("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("text", new string('x', i % 50))))
            .ToList();
        var items = Map(FieldsMapper(options), schema, entries);

        var outcomes = await CreateWriter(_client, schema, options, _metrics).WriteAsync(items, default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
        var stored = (await ScanAsync(_client, schema.TableName)).ToDictionary(i => i["pk"].S);
        Assert.Equal(1000, stored.Count);
        foreach (var e in entries)
        {
            var item = stored[e.GetField("pk")!];
            Assert.Equal(e.GetField("n"), item["n"].S);
            Assert.Equal(e.GetField("text"), item["text"].S);
        }
    }

    [Fact]
    public async Task Overwrite_with_number_and_range_keys_and_duplicates_in_one_call()
    {
        var schema = await NewCompositeTableAsync(_client);
        var options = TestOptions();
        var entries = new[]
        {
            Entry("1-0", ("id", "1"), ("sk", "a"), ("v", "first")),
            Entry("1-1", ("id", "2"), ("sk", "a"), ("v", "other")),
            Entry("1-2", ("id", "1.0"), ("sk", "a"), ("v", "second")), // same key as the first: 1 == 1.0
            Entry("1-3", ("id", "1"), ("sk", "b"), ("v", "range b")),
            Entry("1-4", ("id", "01"), ("sk", "a"), ("v", "last")),
        };

        var outcomes = await CreateWriter(_client, schema, options, _metrics).WriteAsync(Map(FieldsMapper(options), schema, entries), default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
        var stored = await ScanAsync(_client, schema.TableName);
        Assert.Equal(3, stored.Count);
        var one = stored.Single(i => i["id"].N == "1" && i["sk"].S == "a");
        Assert.Equal("last", one["v"].S);
        Assert.Equal("range b", stored.Single(i => i["sk"].S == "b")["v"].S);
    }

    [Fact]
    public async Task Json_items_of_every_type_round_trip()
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions();
        // As deep as the mapper lets through: DynamoDB (Local) must take it.
        var levels = ItemMapper.MaxNestingDepth;
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", levels - 1)) + "[]" + new string('}', levels - 1);
        var json = $$$"""
            {"pk":"j1","s":"text","n":12.50,"big":1E+100,"t":true,"z":null,"l":[1,"two",[],{}],
             "m":{"inner":{"deep":"x"},"e":{}},"empty":"","deep":{{{nested}}}}
            """;
        var mapper = new ItemMapper(new MappingOptions { Format = MappingFormat.Json }, options);
        var items = Map(mapper, schema, [Entry("1-0", ("payload", json))]);

        var outcomes = await CreateWriter(_client, schema, options, _metrics).WriteAsync(items, default);

        Assert.True(WriteStatus.Written == outcomes[0].Status, outcomes[0].ToString());
        var item = (await GetAsync(_client, schema.TableName, "j1"))!;
        Assert.Equal("text", item["s"].S);
        Assert.Equal("12.5", item["n"].N);
        Assert.Equal(1e100, double.Parse(item["big"].N, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(item["t"].BOOL);
        Assert.True(item["z"].NULL);
        Assert.Equal(4, item["l"].L.Count);
        Assert.Equal("two", item["l"].L[1].S);
        Assert.Empty(item["l"].L[2].L);
        Assert.True(item["l"].L[3].M is { Count: 0 });
        Assert.Equal("x", item["m"].M["inner"].M["deep"].S);
        Assert.True(item["m"].M["e"].M is { Count: 0 });
        Assert.Equal("", item["empty"].S);
        var level = item["deep"];
        for (var i = 0; i < levels - 1; i++)
        {
            level = level.M["a"];
        }

        Assert.NotNull(level.L);
    }

    [Fact]
    public async Task Invalid_item_in_a_batch_is_rejected_and_the_others_written()
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions();
        var entries = Enumerable.Range(0, 10)
            .Select(i => Entry($"1-{i}", ("pk", i == 4 ? new string('k', 3000) : $"ok-{i}"), ("v", "x")))
            .ToList();

        var outcomes = await CreateWriter(_client, schema, options, _metrics).WriteAsync(Map(FieldsMapper(options), schema, entries), default);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i == 4 ? WriteStatus.Rejected : WriteStatus.Written, outcomes[i].Status);
        }

        Assert.Equal(EntryErrorKind.ValidationRejected, outcomes[4].ErrorKind);
        Assert.False(string.IsNullOrEmpty(outcomes[4].Error));
        Assert.Equal(9, (await ScanAsync(_client, schema.TableName)).Count);
    }

    [Fact]
    public async Task Skip_existing_leaves_stored_items_untouched()
    {
        var (_, schema) = await NewStringTableAsync(_client);
        await _client.PutItemAsync(new PutItemRequest
        {
            TableName = schema.TableName,
            Item = new() { ["pk"] = new AttributeValue { S = "a" }, ["v"] = new AttributeValue { S = "original" } },
        });
        var options = TestOptions(WritePolicy.SkipExisting);
        var entries = new[]
        {
            Entry("1-0", ("pk", "a"), ("v", "new")),
            Entry("1-1", ("pk", "b"), ("v", "b1")),
            Entry("1-2", ("pk", "b"), ("v", "b2")),
        };

        var outcomes = await CreateWriter(_client, schema, options, _metrics).WriteAsync(Map(FieldsMapper(options), schema, entries), default);

        Assert.Equal([WriteStatus.Skipped, WriteStatus.Written, WriteStatus.Skipped], outcomes.Select(o => o.Status));
        Assert.Equal("original", (await GetAsync(_client, schema.TableName, "a"))!["v"].S);
        Assert.Equal("b1", (await GetAsync(_client, schema.TableName, "b"))!["v"].S);

        // re-delivery is skipped too
        var again = await CreateWriter(_client, schema, options, _metrics).WriteAsync(Map(FieldsMapper(options), schema, entries[1..2]), default);
        Assert.Equal(WriteStatus.Skipped, again[0].Status);
    }

    [Fact]
    public async Task Newer_wins_keeps_the_highest_version_whatever_the_order()
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions(WritePolicy.NewerWins);
        options.VersionField = "ver";
        options.MaxInFlight = 8;
        var mapper = FieldsMapper(options);
        var entries = new List<StreamEntry>();
        for (var key = 0; key < 20; key++)
        {
            for (var version = 1; version <= 10; version++)
            {
                entries.Add(Entry($"1-{(key * 10) + version}", ("pk", $"k{key}"), ("ver", $"{version}"), ("v", $"k{key}-v{version}")));
            }
        }

        var random = new Random(1234);
        var shuffled = entries.OrderBy(_ => random.Next()).ToList();
        var writer = CreateWriter(_client, schema, options, _metrics);
        var written = 0;
        // several calls of 17: a key's versions land in different calls and in one call together
        for (var start = 0; start < shuffled.Count; start += 17)
        {
            var outcomes = await writer.WriteAsync(Map(mapper, schema, shuffled.Skip(start).Take(17)), default);
            Assert.All(outcomes, o => Assert.Contains(o.Status, new[] { WriteStatus.Written, WriteStatus.Skipped }));
            written += outcomes.Count(o => o.Status == WriteStatus.Written);
        }

        var stored = await ScanAsync(_client, schema.TableName);
        Assert.Equal(20, stored.Count);
        Assert.All(stored, item =>
        {
            // With versionField set, the version lives in that same attribute (versionAttribute left at its default).
            Assert.Equal("10", item["ver"].N);
            Assert.False(item.ContainsKey("_version"));
            Assert.Equal($"{item["pk"].S}-v10", item["v"].S);
        });
        Assert.InRange(written, 20, 200);

        // re-delivery of the newest (equal version) is skipped
        var redelivered = await writer.WriteAsync(Map(mapper, schema, [entries[9]]), default);
        Assert.Equal(WriteStatus.Skipped, redelivered[0].Status);
    }

    [Fact]
    public async Task Newer_wins_compares_with_the_version_an_item_stored_by_another_writer_carries()
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions(WritePolicy.NewerWins);
        options.VersionField = "ver";
        // Stored by someone else: one item without any version, one with the version as text, two as numbers.
        await _client.PutItemAsync(schema.TableName, new() { ["pk"] = new() { S = "plain" }, ["v"] = new() { S = "theirs" } });
        await _client.PutItemAsync(schema.TableName, new() { ["pk"] = new() { S = "text" }, ["ver"] = new() { S = "7" }, ["v"] = new() { S = "theirs" } });
        await _client.PutItemAsync(schema.TableName, new() { ["pk"] = new() { S = "old" }, ["ver"] = new() { N = "3" }, ["v"] = new() { S = "theirs" } });
        await _client.PutItemAsync(schema.TableName, new() { ["pk"] = new() { S = "new" }, ["ver"] = new() { N = "9" }, ["v"] = new() { S = "theirs" } });
        var entries = new[]
        {
            Entry("1-1", ("pk", "plain"), ("ver", "1"), ("v", "ours")),
            Entry("1-4", ("pk", "text"), ("ver", "2"), ("v", "ours")),
            Entry("1-2", ("pk", "old"), ("ver", "5"), ("v", "ours")),
            Entry("1-3", ("pk", "new"), ("ver", "5"), ("v", "ours")),
        };

        var outcomes = await CreateWriter(_client, schema, options, _metrics).WriteAsync(Map(FieldsMapper(options), schema, entries), default);

        Assert.Equal([WriteStatus.Written, WriteStatus.Written, WriteStatus.Written, WriteStatus.Skipped], outcomes.Select(o => o.Status));
        Assert.Equal("ours", (await GetAsync(_client, schema.TableName, "text"))!["v"].S);
        Assert.Equal("ours", (await GetAsync(_client, schema.TableName, "plain"))!["v"].S);
        Assert.Equal("ours", (await GetAsync(_client, schema.TableName, "old"))!["v"].S);
        Assert.Equal("5", (await GetAsync(_client, schema.TableName, "old"))!["ver"].N);
        Assert.Equal("theirs", (await GetAsync(_client, schema.TableName, "new"))!["v"].S);
    }

    [Fact]
    public async Task Newer_wins_by_entry_id_orders_by_stream_position()
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions(WritePolicy.NewerWins);
        var mapper = FieldsMapper(options);
        var writer = CreateWriter(_client, schema, options, _metrics);
        // 99-0 < 100-0 numerically, though not as plain strings
        await writer.WriteAsync(Map(mapper, schema, [Entry("100-0", ("pk", "a"), ("v", "newer"))]), default);
        var outcomes = await writer.WriteAsync(Map(mapper, schema, [Entry("99-5", ("pk", "a"), ("v", "older"))]), default);

        Assert.Equal(WriteStatus.Skipped, outcomes[0].Status);
        Assert.Equal("newer", (await GetAsync(_client, schema.TableName, "a"))!["v"].S);

        outcomes = await writer.WriteAsync(Map(mapper, schema, [Entry("100-1", ("pk", "a"), ("v", "newest"))]), default);
        Assert.Equal(WriteStatus.Written, outcomes[0].Status);
        Assert.Equal("newest", (await GetAsync(_client, schema.TableName, "a"))!["v"].S);
    }

    [Theory]
    [InlineData(WritePolicy.Overwrite)]
    [InlineData(WritePolicy.SkipExisting)]
    [InlineData(WritePolicy.NewerWins)]
    public async Task One_writer_serves_concurrent_calls(WritePolicy policy)
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions(policy);
        var mapper = FieldsMapper(options);
        var writer = CreateWriter(_client, schema, options, _metrics);
        using var requests = new RequestRecorder(_metrics, schema.TableName);
        var calls = Enumerable.Range(0, 4).Select(c => writer.WriteAsync(
            Map(mapper, schema, Enumerable.Range(0, 150).Select(i => Entry($"{c + 1}-{i}", ("pk", $"c{c}-{i}"), ("v", "x")))),
            default));

        var results = await Task.WhenAll(calls);

        // Every key is new, so a Skipped is the writer's own earlier attempt applied unseen; the recorder says
        // whether the writer retried at all (none: the request was re-sent below it) and how slow it got.
        var notWritten = results.SelectMany(r => r).Count(o => o.Status != WriteStatus.Written);
        Assert.True(notWritten == 0, $"{notWritten} of 600 not Written ({string.Join(", ", results.SelectMany(r => r).Select(o => o.Status).Distinct())}); {requests}");
        Assert.Equal(600, (await ScanAsync(_client, schema.TableName)).Count);
    }

    [Theory]
    [InlineData(WritePolicy.SkipExisting)]
    [InlineData(WritePolicy.NewerWins)]
    public async Task A_conditional_put_whose_answer_was_lost_counts_as_written(WritePolicy policy)
    {
        // The first attempt is applied and its answer lost; the retry's condition then fails on our own item.
        using var flaky = new FlakyDynamo { LosePutAnswers = 1 };
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions(policy);
        var writer = CreateWriter(flaky, schema, options, _metrics);

        var outcomes = await writer.WriteAsync(Map(FieldsMapper(options), schema, [Entry("7-1", ("pk", "a"), ("n", "1.50"), ("v", "ours"))]), default);

        Assert.Equal(2, flaky.Puts);
        Assert.Equal(WriteStatus.Written, outcomes[0].Status);
        Assert.Equal("ours", (await GetAsync(_client, schema.TableName, "a"))!["v"].S);
    }

    [Theory]
    [InlineData(WritePolicy.SkipExisting)]
    [InlineData(WritePolicy.NewerWins)]
    public async Task A_conditional_put_retried_after_a_server_error_is_skipped_when_another_item_is_stored(WritePolicy policy)
    {
        var (_, schema) = await NewStringTableAsync(_client);
        var options = TestOptions(policy);
        var mapper = FieldsMapper(options);
        await CreateWriter(_client, schema, options, _metrics).WriteAsync(Map(mapper, schema, [Entry("9-0", ("pk", "a"), ("v", "theirs"))]), default);
        using var flaky = new FlakyDynamo { ServerErrorPutsBefore = 1 };

        var outcomes = await CreateWriter(flaky, schema, options, _metrics).WriteAsync(Map(mapper, schema, [Entry("8-0", ("pk", "a"), ("v", "ours"))]), default);

        Assert.Equal(2, flaky.Puts);
        Assert.Equal(WriteStatus.Skipped, outcomes[0].Status);
        Assert.Equal("theirs", (await GetAsync(_client, schema.TableName, "a"))!["v"].S);
    }

    [Fact]
    public async Task Reserved_word_key_names_work_with_conditions()
    {
        var name = TestServers.Unique("r");
        await _client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = [new KeySchemaElement("name", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("name", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        var schema = await new TableCatalog(_client, TestOptions()).GetSchemaAsync(name, default);
        var options = TestOptions(WritePolicy.NewerWins);
        options.VersionAttribute = "size"; // a reserved word too
        var mapper = FieldsMapper(options);

        var outcomes = await CreateWriter(_client, schema, options, _metrics)
            .WriteAsync(Map(mapper, schema, [Entry("1-0", ("name", "a")), Entry("2-0", ("name", "b"))]), default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
    }
}
