using System.Globalization;
using DynamoWriter.Tests;
using static DynamoWriter.Grains.Tests.Engine.Deletes.DeleteKit;

namespace DynamoWriter.Grains.Tests.Engine.Deletes;

/// <summary>
/// Issue #13: deletes under each write policy. overwrite deletes unconditionally (see <see cref="DeleteTests"/>),
/// skip-existing deletes as asked, newer-wins deletes only an item whose version is older than the entry's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeletePolicyTests
{
    [Fact]
    public async Task Skip_existing_deletes_as_asked_and_the_first_put_after_a_delete_is_written()
    {
        var stream = TestServers.Unique("delskip");
        var options = WriterSilo.NewOptions(stream);
        options.DynamoDB.WritePolicy = WritePolicy.SkipExisting;
        var table = options.DynamoDB.TableName;
        using var dynamo = TestTables.Client();
        await CreateTableAsync(dynamo, table);
        foreach (var pk in new[] { "stored", "replaced", "kept" })
        {
            await PutItemAsync(dynamo, table, new() { ["pk"] = new() { S = pk }, ["v"] = new() { S = "old" } });
        }

        await using var redis = EngineKit.Redis();
        await redis.XAddAsync(stream, Delete(MappingFormat.Fields, "stored"));
        await redis.XAddAsync(stream, Delete(MappingFormat.Fields, "replaced"));
        await redis.XAddAsync(stream, Put(MappingFormat.Fields, "replaced", "after-delete"));
        await redis.XAddAsync(stream, Put(MappingFormat.Fields, "replaced", "second"));
        await redis.XAddAsync(stream, Put(MappingFormat.Fields, "kept", "new"));
        await redis.XAddAsync(stream, Put(MappingFormat.Fields, "fresh", "new"));
        await redis.XAddAsync(stream, Delete(MappingFormat.Fields, "fresh"));

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 7, EngineKit.Deadline, "7 entries acknowledged");

        var items = await ItemsAsync(dynamo, table);
        Assert.Equal(["kept", "replaced"], items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("old", items["kept"]["v"].S);
        Assert.Equal("after-delete", items["replaced"]["v"].S);
        Assert.Equal(3, engine.Totals.Deleted);
        Assert.Equal(1, engine.Totals.Written);
        Assert.Equal(3, engine.Totals.Skipped); // "second" after the written put, "kept", and "fresh"'s put the delete superseded
        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
    }

    [Fact]
    public async Task Newer_wins_deletes_only_items_with_an_older_version_and_keeps_stream_order_per_key()
    {
        var stream = TestServers.Unique("delnw");
        var options = WriterSilo.NewOptions(stream);
        options.DynamoDB.WritePolicy = WritePolicy.NewerWins;
        options.DynamoDB.VersionField = "ver";
        var table = options.DynamoDB.TableName;
        using var dynamo = TestTables.Client();
        await CreateTableAsync(dynamo, table);
        await PutItemAsync(dynamo, table, new() { ["pk"] = new() { S = "older" }, ["ver"] = new() { N = "5" } });
        await PutItemAsync(dynamo, table, new() { ["pk"] = new() { S = "newer" }, ["ver"] = new() { N = "50" } });
        await PutItemAsync(dynamo, table, new() { ["pk"] = new() { S = "unversioned" } });

        static StreamField[] Versioned(StreamField[] fields, int version) => [.. fields, new("ver", version.ToString(CultureInfo.InvariantCulture))];
        await using var redis = EngineKit.Redis();
        await redis.XAddAsync(stream, Versioned(Delete(MappingFormat.Fields, "older"), 10));
        await redis.XAddAsync(stream, Versioned(Delete(MappingFormat.Fields, "newer"), 10));
        await redis.XAddAsync(stream, Versioned(Delete(MappingFormat.Fields, "unversioned"), 1));
        await redis.XAddAsync(stream, Versioned(Put(MappingFormat.Fields, "pdp", "first"), 1));
        await redis.XAddAsync(stream, Versioned(Delete(MappingFormat.Fields, "pdp"), 2));
        await redis.XAddAsync(stream, Versioned(Put(MappingFormat.Fields, "pdp", "last"), 3));
        await redis.XAddAsync(stream, Versioned(Delete(MappingFormat.Fields, "dpd"), 1));
        await redis.XAddAsync(stream, Versioned(Put(MappingFormat.Fields, "dpd", "between"), 2));
        await redis.XAddAsync(stream, Versioned(Delete(MappingFormat.Fields, "dpd"), 3));

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 9, EngineKit.Deadline, "9 entries acknowledged");

        var items = await ItemsAsync(dynamo, table);
        Assert.Equal(["newer", "pdp"], items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("50", items["newer"]["ver"].N);
        Assert.Equal("last", items["pdp"]["v"].S);
        Assert.Equal("3", items["pdp"]["ver"].N);
        Assert.Equal(3, engine.Totals.Deleted); // older, unversioned, dpd's last
        Assert.Equal(1, engine.Totals.Written); // pdp's last
        Assert.Equal(5, engine.Totals.Skipped); // newer (failed condition), pdp's two older, dpd's two older
        Assert.Equal(0, engine.Totals.DeadLettered);
        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
    }
}
