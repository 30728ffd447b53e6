using DynamoWriter.Tests;

namespace DynamoWriter.Redis.Tests.Integration;

[Trait("Category", "Integration")]
public class PublisherIntegrationTests
{
    [Fact]
    public async Task Publishes_fields_and_json_in_the_shape_the_reader_expects()
    {
        await using var client = RealRedis.Client();
        var stream = TestServers.Unique("pub");
        var publisher = new RedisStreamPublisher(client, "doc");

        var fieldsId = await publisher.PublishFieldsAsync(stream, [new StreamField("a", "1"), new StreamField("a", "2")]).Within();
        var jsonId = await publisher.PublishJsonAsync(stream, "{\"pk\":\"x\"}").Within();

        var entries = await client.XRangeAsync(stream, "-", "+").Within();
        Assert.Equal([fieldsId, jsonId], entries.Select(e => e.Id));
        Assert.Equal([new StreamField("a", "1"), new StreamField("a", "2")], entries[0].Fields);
        Assert.Equal("{\"pk\":\"x\"}", entries[1].GetField("doc"));
        await client.DelAsync([stream]).Within();
    }

    [Fact]
    public async Task Batch_returns_every_reply_including_errors()
    {
        await using var client = RealRedis.Client();
        var key = TestServers.Unique("batch");

        var replies = await client.ExecuteBatchAsync([["SET", key, "v"], ["INCR", key], ["GET", key]]).Within();

        Assert.Equal("OK", replies[0].AsString());
        Assert.True(replies[1].IsError);
        Assert.Equal("v", replies[2].AsString());
        await client.DelAsync([key]).Within();
    }
}
