using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using static DynamoWriter.Grains.Tests.Unit.TestData;

namespace DynamoWriter.Grains.Tests.Unit;

/// <summary>The real SDK client against a scripted server: SDK retries are off and errors are classified as we expect.</summary>
[Trait("Category", "Fault")]
public class SdkBehaviourTests
{
    private static List<WriteItem> Items(int count) =>
        Enumerable.Range(0, count).Select(i => Fields().Map(Entry($"1-{i}", ("pk", $"k{i}")), StringKey).Item!).ToList();

    [Fact]
    public async Task The_sdk_does_not_retry_on_its_own()
    {
        await using var server = new ScriptedHttpServer((_, _, _) => (500, ScriptedHttpServer.Error("InternalServerError", "boom")));
        using var client = DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = server.Endpoint });

        var e = await Assert.ThrowsAnyAsync<Exception>(() => client.PutItemAsync(new PutItemRequest
        {
            TableName = "t",
            Item = new() { ["pk"] = new AttributeValue { S = "a" } },
        }));

        Assert.True(DynamoErrorClassifier.IsTransient(e), e.ToString());
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Throttling_then_success_through_the_real_client()
    {
        await using var server = new ScriptedHttpServer((_, _, n) => n <= 2
            ? (400, ScriptedHttpServer.Error("ProvisionedThroughputExceededException", "slow down"))
            : (200, "{}"));
        using var client = DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = server.Endpoint });
        using var metrics = new DynamoWriterMetrics();
        var backoff = new RecordingBackoff();
        var writer = ItemWriterFactory.Create(client, StringKey, new DynamoDbOptions(), metrics, backoff.Create(TimeSpan.FromSeconds(1)));

        var outcomes = await writer.WriteAsync(Items(3), default);

        Assert.All(outcomes, o => Assert.Equal(WriteStatus.Written, o.Status));
        Assert.Equal(3, server.Requests);
        Assert.All(server.Targets, t => Assert.Equal("DynamoDB_20120810.BatchWriteItem", t));
        Assert.Equal(2, backoff.Waits.Count);
    }

    [Fact]
    public async Task Validation_and_condition_answers_are_parsed_and_classified()
    {
        await using var server = new ScriptedHttpServer((target, body, _) =>
            target.EndsWith("BatchWriteItem", StringComparison.Ordinal) || body.Contains("\"k1\"", StringComparison.Ordinal)
                ? (400, ScriptedHttpServer.Error("ValidationException", "Item size has exceeded the maximum allowed size"))
                : body.Contains("ConditionExpression", StringComparison.Ordinal)
                    ? (400, ScriptedHttpServer.Error("ConditionalCheckFailedException", "The conditional request failed"))
                    : (200, "{}"));
        using var client = DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = server.Endpoint });
        using var metrics = new DynamoWriterMetrics();

        var overwrite = await ItemWriterFactory.Create(client, StringKey, new DynamoDbOptions(), metrics).WriteAsync(Items(3), default);

        Assert.Equal([WriteStatus.Written, WriteStatus.Rejected, WriteStatus.Written], overwrite.Select(o => o.Status));
        Assert.Equal(EntryErrorKind.ValidationRejected, overwrite[1].ErrorKind);
        Assert.Contains("maximum allowed size", overwrite[1].Error, StringComparison.Ordinal);
        Assert.Equal(4, server.Requests); // one batch, then one PutItem per item

        var skip = await ItemWriterFactory.Create(client, StringKey, new DynamoDbOptions { WritePolicy = WritePolicy.SkipExisting }, metrics)
            .WriteAsync([Items(3)[2]], default);
        Assert.Equal(WriteStatus.Skipped, skip[0].Status);
    }

    [Fact]
    public async Task Connection_refused_is_transient()
    {
        using var client = DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = "127.0.0.1:9" });
        var e = await Assert.ThrowsAnyAsync<Exception>(() => client.ListTablesAsync());
        Assert.True(DynamoErrorClassifier.IsTransient(e), e.ToString());
    }
}
