using DynamoWriter.Diagnostics;
using DynamoWriter.Streaming.Redis.Storage;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using static DynamoWriter.Grains.Tests.Engine.Deletes.DeleteKit;

namespace DynamoWriter.Grains.Tests.Engine.Deletes;

/// <summary>
/// Issue #13: entries whose operation field says <c>delete</c> remove the item with their key, in both
/// mapping formats, in stream order per key; bad tombstones are dead-lettered with their own kinds.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeleteTests
{
    [Theory]
    [InlineData(MappingFormat.Fields)]
    [InlineData(MappingFormat.Json)]
    public async Task Deletes_remove_items_in_stream_order_per_key_and_are_counted_exactly(MappingFormat format)
    {
        var stream = TestServers.Unique("del");
        var options = WriterSilo.NewOptions(stream);
        options.Mapping.Format = format;
        options.DynamoDB.BatchSize = 4; // several BatchWriteItem chunks, puts and deletes mixed
        var table = options.DynamoDB.TableName;
        using var dynamo = TestTables.Client();
        await CreateTableAsync(dynamo, table);
        for (var i = 0; i < 10; i++)
        {
            await PutItemAsync(dynamo, table, new() { ["pk"] = new() { S = $"k{i}" }, ["v"] = new() { S = "old" } });
        }

        await using var redis = EngineKit.Redis();
        var deletes = 0;
        var puts = 0;
        async Task AddAsync(StreamField[] fields)
        {
            await redis.XAddAsync(stream, fields);
            _ = fields[0].Name == Op ? deletes++ : puts++;
        }

        for (var i = 0; i < 5; i++)
        {
            await AddAsync(Delete(format, $"k{i}"));
        }

        await AddAsync(Delete(format, "never-stored"));
        await AddAsync(Put(format, "n0", "new"));
        await AddAsync(Put(format, "pdp", "first"));
        await AddAsync(Delete(format, "pdp"));
        await AddAsync(Put(format, "pdp", "last"));
        await AddAsync(Delete(format, "dpd"));
        await AddAsync(Put(format, "dpd", "between"));
        await AddAsync(Delete(format, "dpd"));

        using var deletedMetric = new StreamCounter("dynamowriter.items.deleted", stream);
        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= deletes + puts, EngineKit.Deadline, "every entry acknowledged");

        var items = await ItemsAsync(dynamo, table);
        Assert.Equal(["k5", "k6", "k7", "k8", "k9", "n0", "pdp"], items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("last", items["pdp"]["v"].S);
        Assert.All(items.Values, item => Assert.False(item.ContainsKey(Op), "the operation field is never an attribute"));

        Assert.Equal(deletes, engine.Totals.Deleted);
        Assert.Equal(puts, engine.Totals.Written);
        Assert.Equal(0, engine.Totals.Skipped);
        Assert.Equal(0, engine.Totals.DeadLettered);
        Assert.Equal(deletes, deletedMetric.Total);
        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));

        var checkpoint = await Eventually.WaitAsync(
            () => EngineKit.CheckpointAsync(dynamo, options, stream), c => c is not null && c.Deleted + c.Written == deletes + puts, EngineKit.Deadline, "checkpoint counts");
        Assert.Equal(deletes, checkpoint!.Deleted);
        var status = await engine.Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IStreamWriterGrain>(stream).GetStatusAsync();
        Assert.Equal(deletes, status.Deleted);
    }

    [Fact]
    public async Task Unknown_operations_and_deletes_without_a_key_are_dead_lettered_and_the_rest_of_the_read_is_written()
    {
        var stream = TestServers.Unique("delbad");
        var options = WriterSilo.NewOptions(stream);
        var table = options.DynamoDB.TableName;
        using var dynamo = TestTables.Client();
        await CreateTableAsync(dynamo, table);
        await PutItemAsync(dynamo, table, new() { ["pk"] = new() { S = "doomed" } });
        await using var redis = EngineKit.Redis();
        await redis.XAddAsync(stream, Put(MappingFormat.Fields, "a", "1"));
        StreamField[] noKey = [new(Op, "delete"), new("v", "no key")];
        var noKeyId = await redis.XAddAsync(stream, noKey);
        StreamField[] unknown = [new("pk", "b"), new(Op, "upsert")];
        var unknownId = await redis.XAddAsync(stream, unknown);
        await redis.XAddAsync(stream, Delete(MappingFormat.Fields, "doomed"));
        await redis.XAddAsync(stream, Put(MappingFormat.Fields, "c", "3"));

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 5, EngineKit.Deadline, "5 entries acknowledged");

        Assert.Equal(["a", "c"], (await ItemsAsync(dynamo, table)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, engine.Totals.Written);
        Assert.Equal(1, engine.Totals.Deleted);
        Assert.Equal(2, engine.Totals.DeadLettered);

        var letters = (await redis.AllAsync(options.Stream.DeadLetter.KeyFor(stream))).ToDictionary(l => l.GetField(DeadLetterFields.SourceId)!);
        Assert.Equal(EntryErrorKind.MissingKeyForDelete.ToWireName(), letters[noKeyId].GetField(DeadLetterFields.ErrorKind));
        Assert.Equal("missing-key-for-delete", letters[noKeyId].GetField(DeadLetterFields.ErrorKind));
        Assert.Equal("invalid-operation", letters[unknownId].GetField(DeadLetterFields.ErrorKind));
        Assert.Contains("'upsert'", letters[unknownId].GetField(DeadLetterFields.Error), StringComparison.Ordinal);
        Assert.Equal(noKey, EngineKit.Original(letters[noKeyId]));
        Assert.Equal(unknown, EngineKit.Original(letters[unknownId]));
        Assert.Equal(0, await redis.PendingAsync(stream, options.Stream.Group));
    }

    [Fact]
    public async Task An_empty_operation_field_turns_deletes_off()
    {
        var stream = TestServers.Unique("deloff");
        var options = WriterSilo.NewOptions(stream);
        options.Mapping.OperationField = "";
        using var dynamo = TestTables.Client();
        await CreateTableAsync(dynamo, options.DynamoDB.TableName);
        await using var redis = EngineKit.Redis();
        await redis.XAddAsync(stream, Delete(MappingFormat.Fields, "kept"));

        await using var engine = await WriterSilo.StartAsync(options);
        await Eventually.WaitAsync(() => Task.FromResult(engine.Totals.Acknowledged), n => n >= 1, EngineKit.Deadline, "the entry acknowledged");

        var item = Assert.Single(await ItemsAsync(dynamo, options.DynamoDB.TableName)).Value;
        Assert.Equal("delete", item[Op].S);
        Assert.Equal(1, engine.Totals.Written);
        Assert.Equal(0, engine.Totals.Deleted);
    }
}
