using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Recovery;

/// <summary>
/// Issue #3: a corpus of malformed entries mixed among good ones, in both mapping formats and against
/// S-, N- and B-keyed tables. Every bad one ends in <c>&lt;stream&gt;:dlq</c> with the right error kind,
/// its source and its original fields; every good one is written; nothing stays pending; the engine
/// keeps running afterwards.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MalformedCorpusTests
{
    private enum Target
    {
        StringKey,
        NumberKey,
        BinaryKey,
    }

    private sealed record BadCase(string Name, Target Target, StreamField[] Fields, string Kind);

    private static StreamField[] Payload(string json) => [new("payload", json)];

    private static string Nested(int depth, string inner) => new string('[', depth) + inner + new string(']', depth);

    private static readonly string LongKey = new('k', 3000);
    private static readonly string Huge = new('x', 410 * 1024);

    /// <summary>json format, overwrite policy. Table keys: pk (S), id (N), bin (B).</summary>
    private static readonly BadCase[] JsonCorpus =
    [
        new("malformed JSON", Target.StringKey, Payload("{pk: bare-words}"), "malformed-json"),
        new("truncated JSON", Target.StringKey, Payload("{\"pk\":\"t1\",\"tags\":[\"a\","), "malformed-json"),
        new("two JSON documents", Target.StringKey, Payload("{\"pk\":\"g1\"} {\"pk\":\"g2\"}"), "malformed-json"),
        new("empty payload", Target.StringKey, Payload(""), "malformed-json"),
        new("payload is an array", Target.StringKey, Payload("[{\"pk\":\"a1\"}]"), "payload-not-object"),
        new("payload is a string", Target.StringKey, Payload("\"pk\""), "payload-not-object"),
        new("payload is a number", Target.StringKey, Payload("42"), "payload-not-object"),
        new("payload is null", Target.StringKey, Payload("null"), "payload-not-object"),
        new("payload field missing", Target.StringKey, [new("data", "{\"pk\":\"nopayload\"}")], "missing-payload"),
        new("key missing", Target.StringKey, Payload("{\"other\":\"x\"}"), "missing-key"),
        new("key empty", Target.StringKey, Payload("{\"pk\":\"\",\"v\":1}"), "empty-key"),
        new("key is an object", Target.StringKey, Payload("{\"pk\":{\"a\":1}}"), "key-type-mismatch"),
        new("key is a boolean", Target.StringKey, Payload("{\"pk\":true}"), "key-type-mismatch"),
        new("key is null", Target.StringKey, Payload("{\"pk\":null}"), "key-type-mismatch"),
        new("key is an array", Target.StringKey, Payload("{\"pk\":[\"a\"]}"), "key-type-mismatch"),
        new("item over 400 KB", Target.StringKey, Payload($"{{\"pk\":\"huge\",\"data\":\"{Huge}\"}}"), "item-too-large"),
        new("nesting deeper than 32", Target.StringKey, Payload($"{{\"pk\":\"deep\",\"a\":{Nested(40, "1")}}}"), "nesting-too-deep"),
        new("number too large (1e200)", Target.StringKey, Payload("{\"pk\":\"big\",\"n\":1e200}"), "invalid-number"),
        new("number with 39 significant digits", Target.StringKey, Payload("{\"pk\":\"precise\",\"n\":123456789012345678901234567890123456789}"), "invalid-number"),
        new("number too small, nested", Target.StringKey, Payload("{\"pk\":\"tiny\",\"m\":{\"l\":[1,2,1e-140]}}"), "invalid-number"),
        new("S key over 2048 bytes (server ValidationException)", Target.StringKey, Payload($"{{\"pk\":\"{LongKey}\"}}"), "validation-rejected"),
        new("N key is not a number", Target.NumberKey, Payload("{\"id\":\"abc\"}"), "key-type-mismatch"),
        new("N key out of range", Target.NumberKey, Payload("{\"id\":1e200}"), "key-type-mismatch"),
        new("N key is a boolean", Target.NumberKey, Payload("{\"id\":false}"), "key-type-mismatch"),
        new("B key is not base64", Target.BinaryKey, Payload("{\"bin\":\"***not base64***\"}"), "key-type-mismatch"),
        new("string with a lone surrogate escape", Target.StringKey, Payload("{\"pk\":\"lone\",\"v\":\"\\ud800\"}"), "malformed-json"),
        new("property name with a lone surrogate escape", Target.StringKey, Payload("{\"pk\":\"lone2\",\"\\udc00\":1}"), "malformed-json"),
        new("unknown operation", Target.StringKey, [new("dw:op", "upsert"), new("payload", "{\"pk\":\"op1\"}")], "invalid-operation"),
        new("delete without a key", Target.StringKey, [new("dw:op", "delete"), new("payload", "{\"other\":\"x\"}")], "missing-key-for-delete"),
        new("delete without a payload", Target.StringKey, [new("dw:op", "delete")], "missing-key-for-delete"),
    ];

    /// <summary>fields format, newer-wins with versionField "ver". Table keys: pk (S), id (N), bin (B).</summary>
    private static readonly BadCase[] FieldsCorpus =
    [
        new("key field missing", Target.StringKey, [new("ver", "1"), new("data", "no key")], "missing-key"),
        new("key field empty", Target.StringKey, [new("pk", ""), new("ver", "1")], "empty-key"),
        new("version not numeric", Target.StringKey, [new("pk", "badver"), new("ver", "seven")], "invalid-version"),
        new("version missing", Target.StringKey, [new("pk", "nover"), new("data", "x")], "invalid-version"),
        new("version out of range", Target.StringKey, [new("pk", "hugever"), new("ver", "1e200")], "invalid-version"),
        new("field over 400 KB", Target.StringKey, [new("pk", "hugefield"), new("ver", "1"), new("data", Huge)], "item-too-large"),
        new("S key over 2048 bytes (server ValidationException)", Target.StringKey, [new("pk", LongKey), new("ver", "1")], "validation-rejected"),
        new("N key with letters", Target.NumberKey, [new("id", "12abc"), new("ver", "1")], "key-type-mismatch"),
        new("N key with 39 digits", Target.NumberKey, [new("id", "123456789012345678901234567890123456789"), new("ver", "1")], "key-type-mismatch"),
        new("B key with bad base64", Target.BinaryKey, [new("bin", "not base64!"), new("ver", "1")], "key-type-mismatch"),
        new("B key empty", Target.BinaryKey, [new("bin", ""), new("ver", "1")], "empty-key"),
        new("operation in capitals", Target.StringKey, [new("pk", "op2"), new("ver", "1"), new("dw:op", "DELETE")], "invalid-operation"),
        new("delete with an empty key", Target.NumberKey, [new("id", ""), new("ver", "1"), new("dw:op", "delete")], "missing-key-for-delete"),
    ];

    [Fact]
    public void The_corpus_has_at_least_fifteen_kinds_of_malformed_entries_covering_every_mapping_error_kind()
    {
        var all = JsonCorpus.Concat(FieldsCorpus).ToList();
        Assert.True(all.Count >= 15, $"only {all.Count} malformed kinds");
        Assert.Equal(all.Count, all.Select(c => c.Name + "/" + (JsonCorpus.Contains(c) ? "json" : "fields")).Distinct().Count());
        var kinds = all.Select(c => c.Kind).ToHashSet();
        foreach (var kind in Enum.GetValues<EntryErrorKind>().Where(k => k != EntryErrorKind.TooManyDeliveries))
        {
            Assert.Contains(kind.ToWireName(), kinds);
        }
    }

    [Fact]
    public Task Json_corpus_bad_entries_are_dead_lettered_with_their_kind_and_good_ones_written() =>
        RunCorpusAsync(MappingFormat.Json, WritePolicy.Overwrite, JsonCorpus);

    [Fact]
    public Task Fields_corpus_bad_entries_are_dead_lettered_with_their_kind_and_good_ones_written() =>
        RunCorpusAsync(MappingFormat.Fields, WritePolicy.NewerWins, FieldsCorpus);

    private static async Task RunCorpusAsync(MappingFormat format, WritePolicy policy, BadCase[] corpus)
    {
        var streams = new Dictionary<Target, string>
        {
            [Target.StringKey] = TestServers.Unique("bad-s"),
            [Target.NumberKey] = TestServers.Unique("bad-n"),
            [Target.BinaryKey] = TestServers.Unique("bad-b"),
        };
        var options = WriterSilo.NewOptions([.. streams.Values]);
        options.Mapping.Format = format;
        options.DynamoDB.WritePolicy = policy;
        options.DynamoDB.VersionField = policy == WritePolicy.NewerWins ? "ver" : "";
        options.DynamoDB.BatchSize = 10;
        var tables = new Dictionary<Target, (string Table, string Key)>
        {
            [Target.StringKey] = (options.DynamoDB.TableName, "pk"),
            [Target.NumberKey] = (TestServers.Unique("tbl-n"), "id"),
            [Target.BinaryKey] = (TestServers.Unique("tbl-b"), "bin"),
        };
        options.DynamoDB.Tables[streams[Target.NumberKey]] = tables[Target.NumberKey].Table;
        options.DynamoDB.Tables[streams[Target.BinaryKey]] = tables[Target.BinaryKey].Table;

        using var dynamo = TestTables.Client();
        await EngineKit.CreateTableAsync(dynamo, tables[Target.NumberKey].Table, "id", ScalarAttributeType.N);
        await EngineKit.CreateTableAsync(dynamo, tables[Target.BinaryKey].Table, "bin", ScalarAttributeType.B);
        await using var redis = EngineKit.Redis();

        // Bad entries between good ones, in every stream, so one bad entry shares its batch with good ones.
        var good = new Dictionary<Target, List<AttributeValue>> { [Target.StringKey] = [], [Target.NumberKey] = [], [Target.BinaryKey] = [] };
        var bad = new Dictionary<(string Stream, string Id), BadCase>(); // IDs are per stream
        var serial = 0;
        async Task AddGoodAsync(Target target)
        {
            var n = serial++;
            var (fields, key) = GoodEntry(format, target, n);
            await redis.XAddAsync(streams[target], fields);
            good[target].Add(key);
        }

        foreach (var c in corpus)
        {
            await AddGoodAsync(c.Target);
            var id = await redis.XAddAsync(streams[c.Target], c.Fields);
            bad.Add((streams[c.Target], id), c);
            await AddGoodAsync(c.Target);
        }

        foreach (var target in streams.Keys)
        {
            await AddGoodAsync(target);
        }

        var total = bad.Count + good.Values.Sum(g => g.Count);
        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= total, EngineKit.Deadline, $"{total} entries acknowledged");

        // Every bad entry is in its stream's dead-letter stream, once, with the right kind and its original fields.
        var deadLettered = new HashSet<(string, string)>();
        foreach (var (target, stream) in streams)
        {
            var dlq = await redis.AllAsync(options.Stream.DeadLetter.KeyFor(stream));
            Assert.Equal($"{stream}:dlq", options.Stream.DeadLetter.KeyFor(stream));
            foreach (var letter in dlq)
            {
                var sourceId = letter.GetField(DeadLetterFields.SourceId);
                Assert.True(sourceId is not null && bad.TryGetValue((stream, sourceId), out _), $"dead letter {letter.Id} of {stream} is no bad entry of it (source id {sourceId})");
                var c = bad[(stream, sourceId!)];
                Assert.Equal(target, c.Target);
                Assert.True(c.Kind == letter.GetField(DeadLetterFields.ErrorKind), $"{c.Name}: kind {letter.GetField(DeadLetterFields.ErrorKind)} ({letter.GetField(DeadLetterFields.Error)}), expected {c.Kind}");
                Assert.Equal(stream, letter.GetField(DeadLetterFields.SourceStream));
                Assert.False(string.IsNullOrEmpty(letter.GetField(DeadLetterFields.Error)), $"{c.Name}: no error message");
                Assert.Equal("1", letter.GetField(DeadLetterFields.DeliveryCount));
                Assert.True(DateTimeOffset.TryParse(letter.GetField(DeadLetterFields.Time), CultureInfo.InvariantCulture, out _), $"{c.Name}: no time");
                Assert.True(c.Fields.SequenceEqual(EngineKit.Original(letter)), $"{c.Name}: original fields not kept");
                Assert.True(deadLettered.Add((stream, sourceId!)), $"{c.Name}: dead-lettered twice");
            }
        }

        var missed = bad.Where(b => !deadLettered.Contains(b.Key)).Select(b => b.Value.Name).ToList();
        Assert.True(missed.Count == 0, $"not dead-lettered: {string.Join("; ", missed)}");
        Assert.Equal(bad.Count, engine.Totals.DeadLettered);

        // Every good entry is written, and nothing else is in the tables.
        foreach (var (target, keys) in good)
        {
            var (table, keyName) = tables[target];
            await AssertItemsAsync(dynamo, table, keyName, keys);
        }

        foreach (var stream in streams.Values)
        {
            Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
        }

        // Still running: good entries added afterwards are written too.
        foreach (var target in streams.Keys)
        {
            for (var i = 0; i < 5; i++)
            {
                await AddGoodAsync(target);
            }
        }

        var after = total + 15;
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= after, EngineKit.Deadline, $"{after} entries acknowledged after the corpus");
        foreach (var (target, keys) in good)
        {
            var (table, keyName) = tables[target];
            await AssertItemsAsync(dynamo, table, keyName, keys);
        }

        Assert.Equal(bad.Count, engine.Totals.DeadLettered);
    }

    private static async Task AssertItemsAsync(IAmazonDynamoDB dynamo, string table, string keyName, List<AttributeValue> keys)
    {
        var items = await TestTables.ScanAllAsync(dynamo, table);
        var stored = items.Select(i => KeyOf(i[keyName])).ToHashSet(StringComparer.Ordinal);
        var expected = keys.Select(KeyOf).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(keys.Count, expected.Count);
        Assert.True(expected.SetEquals(stored), $"{table}: missing [{string.Join(", ", expected.Except(stored))}], unexpected [{string.Join(", ", stored.Except(expected))}]");
    }

    private static string KeyOf(AttributeValue v) =>
        v.S is { } s ? "S:" + s : v.N is { } n ? "N:" + n : "B:" + Convert.ToBase64String(v.B.ToArray());

    /// <summary>A good entry for the target table and its key as DynamoDB will store it.</summary>
    private static (StreamField[] Fields, AttributeValue Key) GoodEntry(MappingFormat format, Target target, int n)
    {
        var s = n.ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes($"bin-{n}");
        var b64 = Convert.ToBase64String(bytes);
        var number = (1000 + n).ToString(CultureInfo.InvariantCulture);
        if (format == MappingFormat.Json)
        {
            // Good documents exercise what is allowed: nesting to 30 levels, nulls, booleans, 38 digits,
            // a JSON number as an S key, a numeric string as an N key.
            return target switch
            {
                Target.StringKey when n % 3 == 0 => (Payload($"{{\"pk\":{9_000_000 + n},\"v\":\"number key\"}}"), new AttributeValue { S = (9_000_000 + n).ToString(CultureInfo.InvariantCulture) }),
                Target.StringKey => (Payload($"{{\"pk\":\"ok-{s}\",\"n\":{s},\"exact\":12345678901234567890123456789012345678,\"ok\":true,\"nil\":null,\"deep\":{Nested(30, "\"leaf\"")},\"m\":{{\"l\":[1,\"two\",{{\"x\":1.5e-3}}]}}}}"), new AttributeValue { S = $"ok-{s}" }),
                Target.NumberKey when n % 2 == 0 => (Payload($"{{\"id\":\"{number}.0\",\"v\":\"string number\"}}"), new AttributeValue { N = number }),
                Target.NumberKey => (Payload($"{{\"id\":{number},\"v\":{s}}}"), new AttributeValue { N = number }),
                _ => (Payload($"{{\"bin\":\"{b64}\",\"v\":{s}}}"), new AttributeValue { B = new MemoryStream(bytes) }),
            };
        }

        return target switch
        {
            Target.StringKey => ([new("pk", $"ok-{s}"), new("ver", s), new("data", "fine")], new AttributeValue { S = $"ok-{s}" }),
            Target.NumberKey => ([new("id", number), new("ver", s)], new AttributeValue { N = number }),
            _ => ([new("bin", b64), new("ver", s)], new AttributeValue { B = new MemoryStream(bytes) }),
        };
    }
}
