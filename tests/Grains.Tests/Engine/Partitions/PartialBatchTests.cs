using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.Engine.Partitions;

[Trait("Category", "Integration")]
public sealed class PartialBatchTests
{
    [Fact]
    public async Task A_lone_entry_is_written_at_once_when_nothing_is_in_flight_not_after_flushInterval()
    {
        var stream = TestServers.Unique("lone");
        var options = WriterSilo.NewOptions(stream);
        // Long enough that waiting it out would fail the test by a wide margin.
        options.DynamoDB.FlushInterval = TimeSpan.FromSeconds(60);
        await using var redis = EngineKit.Redis();
        await using var host = await WriterSilo.StartAsync(options);

        for (var i = 1; i <= 3; i++)
        {
            await redis.XAddAsync(stream, [new("pk", $"lone-{i}"), new("n", $"{i}")]);
            // Fails after 20 s, long before the 60 s flushInterval would have let the batch go.
            await Eventually.WaitAsync(() => Task.FromResult(host.Totals.Acknowledged), n => n >= i, TimeSpan.FromSeconds(20), $"entry {i} acknowledged well before flushInterval");
        }

        using var dynamo = TestTables.Client();
        var items = await TestTables.ScanAllAsync(dynamo, options.DynamoDB.TableName);
        Assert.Equal(3, items.Count);
    }
}
