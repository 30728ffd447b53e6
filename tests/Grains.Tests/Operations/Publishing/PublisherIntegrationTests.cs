using DynamoWriter.Grains.Operations.Publishing;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Operations.Publishing;

[Trait("Category", "Integration")]
public sealed class PublisherIntegrationTests
{
    [Fact]
    public async Task Publishes_fields_and_json_in_the_shape_the_reader_expects()
    {
        await using var redis = OperationsKit.Redis();
        var db = await redis.GetDatabaseAsync();
        var stream = TestServers.Unique("pub");
        IStreamPublisher publisher = new RedisStreamPublisher(redis, "doc");

        var fieldsId = await publisher.PublishFieldsAsync(stream, [new StreamField("a", "1"), new StreamField("a", "2")]);
        var jsonId = await publisher.PublishJsonAsync(stream, "{\"pk\":\"x\"}");

        var entries = await OperationsKit.AllAsync(db, stream);
        Assert.Equal([fieldsId, jsonId], entries.Select(e => e.Id));
        Assert.True(StreamEntryId.TryParse(fieldsId, out _));
        Assert.Equal([new StreamField("a", "1"), new StreamField("a", "2")], entries[0].Fields);
        Assert.Equal([new StreamField("doc", "{\"pk\":\"x\"}")], entries[1].Fields);

        // The same over a database the caller owns, with the default payload field.
        var third = await new RedisStreamPublisher(db).PublishJsonAsync(stream, "{}");
        Assert.Equal("{}", OperationsKit.Field((await OperationsKit.AllAsync(db, stream)).Single(e => e.Id == third).Fields, "payload"));
        await db.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task An_entry_needs_a_field()
    {
        await using var redis = OperationsKit.Redis();
        await Assert.ThrowsAsync<ArgumentException>(() => new RedisStreamPublisher(redis).PublishFieldsAsync(TestServers.Unique("pub"), []));
    }
}
