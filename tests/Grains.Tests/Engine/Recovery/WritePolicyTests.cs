using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Recovery;

/// <summary>
/// Issue #3: each write policy against items that already exist. skip-existing leaves them untouched
/// (the entries count as skipped), newer-wins keeps the higher version whatever the delivery order,
/// overwrite replaces them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WritePolicyTests
{
    private static string S(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static async Task PutAsync(IAmazonDynamoDB dynamo, string table, Dictionary<string, AttributeValue> item) =>
        await dynamo.PutItemAsync(new PutItemRequest { TableName = table, Item = item });

    /// <summary>The table the engine will write to, created (pk string) before the engine starts.</summary>
    private static async Task CreateTargetAsync(IAmazonDynamoDB dynamo, string table) =>
        await EngineKit.CreateTableAsync(dynamo, table, "pk", ScalarAttributeType.S);

    [Fact]
    public async Task Skip_existing_leaves_existing_items_untouched_and_counts_their_entries_as_skipped()
    {
        var stream = TestServers.Unique("skip");
        var options = WriterSilo.NewOptions(stream);
        options.DynamoDB.WritePolicy = WritePolicy.SkipExisting;
        options.DynamoDB.MaxInFlight = 8;
        options.DynamoDB.BatchSize = 4;
        var table = options.DynamoDB.TableName;
        using var dynamo = TestTables.Client();
        await CreateTargetAsync(dynamo, table);
        for (var i = 0; i < 10; i++)
        {
            await PutAsync(dynamo, table, new() { ["pk"] = new() { S = $"k{i}" }, ["v"] = new() { S = "old" }, ["keep"] = new() { S = "me" } });
        }

        await using var redis = EngineKit.Redis();
        for (var i = 0; i < 20; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}"), new("v", "new")]);
        }

        // A new key twice: one entry is written, the other skipped.
        await redis.XAddAsync(stream, [new("pk", "k15"), new("v", "second")]);

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 21, EngineKit.Deadline, "21 entries acknowledged");
        Assert.Equal(11, engine.Totals.Skipped);
        Assert.Equal(10, engine.Totals.Written);
        Assert.Equal(0, engine.Totals.DeadLettered);

        var items = (await TestTables.ScanAllAsync(dynamo, table)).ToDictionary(i => i["pk"].S);
        Assert.Equal(20, items.Count);
        for (var i = 0; i < 10; i++)
        {
            var item = items[$"k{i}"];
            Assert.Equal("old", item["v"].S);
            Assert.Equal("me", item["keep"].S);
        }

        for (var i = 10; i < 20; i++)
        {
            // k15's two entries may sit in different batches in flight at once: either may be first.
            Assert.Contains(items[$"k{i}"]["v"].S, i == 15 ? new[] { "new", "second" } : ["new"]);
            Assert.False(items[$"k{i}"].ContainsKey("keep"));
        }

        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
        Assert.Equal(0, await redis.XLenAsync(options.Stream.DeadLetter.KeyFor(stream)));
    }

    [Fact]
    public async Task Newer_wins_with_a_version_field_keeps_the_highest_version_whatever_the_delivery_order()
    {
        var stream = TestServers.Unique("nw");
        var options = WriterSilo.NewOptions(stream);
        options.DynamoDB.WritePolicy = WritePolicy.NewerWins;
        options.DynamoDB.VersionField = "ver";
        // Small batches, several in flight: versions of one key race each other across batches.
        options.DynamoDB.BatchSize = 3;
        options.DynamoDB.MaxInFlight = 12;
        options.Stream.ReadCount = 7;
        var table = options.DynamoDB.TableName;
        using var dynamo = TestTables.Client();
        await CreateTargetAsync(dynamo, table);

        const int keys = 8;
        const int versions = 25;
        // Pre-existing: k0 above every version produced, k1 in the middle, k2 below all; the others are new.
        var existing = new Dictionary<string, int> { ["k0"] = 1000, ["k1"] = 12, ["k2"] = 0 };
        foreach (var (pk, version) in existing)
        {
            // The new engine keeps the version in the version field's own attribute (N), where another writer
            // storing the same field leaves it; the old engine compared a separate _version attribute.
            await PutAsync(dynamo, table, new() { ["pk"] = new() { S = pk }, ["ver"] = new() { N = S(version) }, ["origin"] = new() { S = "pre-existing" } });
        }

        var random = new Random(3);
        var entries = (from k in Enumerable.Range(0, keys) from v in Enumerable.Range(1, versions) select (Key: $"k{k}", Version: v)).ToArray();
        random.Shuffle(entries);
        await using var redis = EngineKit.Redis();
        foreach (var (key, version) in entries)
        {
            await redis.XAddAsync(stream, [new("pk", key), new("ver", S(version)), new("origin", $"entry-{version}")]);
        }

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= entries.Length, EngineKit.Deadline, "every version acknowledged");

        var items = (await TestTables.ScanAllAsync(dynamo, table)).ToDictionary(i => i["pk"].S);
        Assert.Equal(keys, items.Count);
        for (var k = 0; k < keys; k++)
        {
            var item = items[$"k{k}"];
            var want = Math.Max(versions, existing.GetValueOrDefault($"k{k}"));
            Assert.Equal(S(want), item["ver"].N);
            Assert.False(item.ContainsKey("_version"), $"k{k}: a separate _version attribute");
            Assert.Equal(want > versions ? "pre-existing" : $"entry-{want}", item["origin"].S);
        }

        Assert.Equal(entries.Length, engine.Totals.Written + engine.Totals.Skipped);
        Assert.Equal(0, engine.Totals.DeadLettered);
        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
    }

    [Fact]
    public async Task Newer_wins_with_entry_id_versions_keeps_the_newest_entry_when_an_older_one_arrives_later()
    {
        var stream = TestServers.Unique("nwid");
        var options = WriterSilo.NewOptions(stream);
        options.DynamoDB.WritePolicy = WritePolicy.NewerWins;
        options.Stream.ClaimInterval = TimeSpan.FromMinutes(10); // first run: no claiming
        options.Stream.ClaimMinIdle = TimeSpan.FromSeconds(1);
        var table = options.DynamoDB.TableName;
        var group = options.Stream.Group;
        using var dynamo = TestTables.Client();
        await CreateTargetAsync(dynamo, table);
        await using var redis = EngineKit.Redis();
        await redis.XGroupCreateAsync(stream, group, "0", mkStream: true);

        // A pre-existing item written from an entry far in the future, and one from the distant past.
        await PutAsync(dynamo, table, new() { ["pk"] = new() { S = "future" }, ["origin"] = new() { S = "pre-existing" }, ["_version"] = new() { S = new StreamEntryId(ulong.MaxValue / 2, 0).ToSortableString() } });
        await PutAsync(dynamo, table, new() { ["pk"] = new() { S = "past" }, ["origin"] = new() { S = "pre-existing" }, ["_version"] = new() { S = new StreamEntryId(1, 0).ToSortableString() } });

        // Older entries of each key go to a consumer that dies holding them; the newer ones follow.
        const int keys = 6;
        for (var k = 0; k < keys; k++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{k}"), new("origin", "older")]);
        }

        await redis.XAddAsync(stream, [new("pk", "future"), new("origin", "older")]);
        await redis.XAddAsync(stream, [new("pk", "past"), new("origin", "older")]);
        var held = await redis.XReadGroupAsync(group, "dead-node", stream, 100);
        Assert.Equal(keys + 2, held.Count);
        var newer = new Dictionary<string, string>();
        for (var k = 0; k < keys; k++)
        {
            newer[$"k{k}"] = await redis.XAddAsync(stream, [new("pk", $"k{k}"), new("origin", "newer")]);
        }

        // A first run writes the newer entries; a second run claims the older ones from the dead consumer:
        // they arrive last but must not replace anything.
        await using (var first = await WriterSilo.StartAsync(options))
        {
            await Eventually.WaitAsync(() => Task.FromResult(first.Totals.Acknowledged), n => n >= keys, EngineKit.Deadline, "newer entries acknowledged");
            Assert.Equal(keys, first.Totals.Written);
        }

        Assert.Equal(keys + 2, await redis.PendingAsync(stream, group));
        options.Stream.ClaimInterval = TimeSpan.FromSeconds(1);
        await using var engine = await WriterSilo.StartAsync(options);
        var total = keys + 2 + keys;
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= keys + 2, EngineKit.Deadline, "claimed older entries acknowledged");
        Assert.True(engine.Logs.Contains(1040, "claimed"), "the older entries were claimed");

        var items = (await TestTables.ScanAllAsync(dynamo, table)).ToDictionary(i => i["pk"].S);
        for (var k = 0; k < keys; k++)
        {
            var item = items[$"k{k}"];
            Assert.Equal("newer", item["origin"].S);
            Assert.Equal(StreamEntryId.Parse(newer[$"k{k}"]).ToSortableString(), item["_version"].S);
        }

        Assert.Equal("pre-existing", items["future"]["origin"].S);
        Assert.Equal("older", items["past"]["origin"].S);
        Assert.Equal(1, engine.Totals.Written); // "past" only
        Assert.Equal(keys + 1, engine.Totals.Skipped);
        Assert.Equal(0, await redis.PendingAsync(stream, group));

        // Re-delivery of everything through a second group (another node, a replay) changes nothing.
        var before = await TestTables.ScanAllAsync(dynamo, table);
        var again = WriterSilo.NewOptions(stream);
        again.DynamoDB = options.DynamoDB;
        await using (var second = await WriterSilo.StartAsync(again))
        {
            await Eventually.WaitAsync(() => Task.FromResult(second.Totals.Acknowledged), n => n >= total, EngineKit.Deadline, "re-delivered entries acknowledged");
            Assert.Equal(0, second.Totals.Written);
            Assert.Equal(total, second.Totals.Skipped);
        }

        var after = await TestTables.ScanAllAsync(dynamo, table);
        Assert.Equal(Render(before), Render(after));
    }

    [Fact]
    public async Task Overwrite_replaces_existing_items()
    {
        var stream = TestServers.Unique("ow");
        var options = WriterSilo.NewOptions(stream);
        var table = options.DynamoDB.TableName;
        using var dynamo = TestTables.Client();
        await CreateTargetAsync(dynamo, table);
        for (var i = 0; i < 10; i++)
        {
            await PutAsync(dynamo, table, new() { ["pk"] = new() { S = $"k{i}" }, ["v"] = new() { S = "old" }, ["stale"] = new() { S = "yes" } });
        }

        await using var redis = EngineKit.Redis();
        for (var i = 0; i < 15; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"k{i}"), new("v", "new"), new("n", S(i))]);
        }

        await redis.XAddAsync(stream, [new("pk", "k3"), new("v", "newest"), new("n", "3")]);

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 16, EngineKit.Deadline, "16 entries acknowledged");

        var items = (await TestTables.ScanAllAsync(dynamo, table)).ToDictionary(i => i["pk"].S);
        Assert.Equal(15, items.Count);
        foreach (var (pk, item) in items)
        {
            Assert.False(item.ContainsKey("stale"), $"{pk} kept an attribute of the old item");
            Assert.Equal(pk == "k3" ? "newest" : "new", item["v"].S);
            Assert.Equal(3, item.Count);
        }

        Assert.Equal(0, engine.Totals.Skipped);
        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
    }

    private static string Render(List<Dictionary<string, AttributeValue>> items) =>
        string.Join("\n", items
            .Select(i => string.Join(",", i.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value.S ?? a.Value.N}")))
            .Order(StringComparer.Ordinal));
}
