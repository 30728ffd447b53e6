using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.Tests.Unit;

[Trait("Category", "Unit")]
public class ClientAndClassifierTests
{
    [Theory]
    [InlineData("localhost:8000", "http://localhost:8000/")]
    [InlineData("http://127.0.0.1:8000", "http://127.0.0.1:8000/")]
    [InlineData("https://dynamo.example:443", "https://dynamo.example/")]
    public void Endpoint_becomes_service_url_without_sdk_retries(string endpoint, string expected)
    {
        using var client = (AmazonDynamoDBClient)DynamoClientFactory.Create(new DynamoDbOptions { Endpoint = endpoint });
        var config = (AmazonDynamoDBConfig)client.Config;
        Assert.Equal(expected, new Uri(config.ServiceURL).ToString());
        Assert.Equal(0, config.MaxErrorRetry);
        Assert.Equal(DynamoClientFactory.RequestTimeout, config.Timeout);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
    }

    [Fact]
    public void Empty_endpoint_uses_the_region()
    {
        var config = DynamoClientFactory.CreateConfig(new DynamoDbOptions { Region = "eu-west-1" });
        Assert.Null(config.ServiceURL);
        Assert.Equal("eu-west-1", config.RegionEndpoint.SystemName);
        Assert.Equal(0, config.MaxErrorRetry);
        Assert.Null(DynamoClientFactory.NormalizeEndpoint(" "));
    }

    public static TheoryData<Exception> Transient() =>
    [
        new ProvisionedThroughputExceededException("x"),
        new ThrottlingException("x"),
        new RequestLimitExceededException("x"),
        new InternalServerErrorException("x"),
        new AmazonDynamoDBException("x", ErrorType.Receiver, "ServiceUnavailable", "r", HttpStatusCode.ServiceUnavailable),
        new AmazonDynamoDBException("x", ErrorType.Unknown, "Whatever", "r", HttpStatusCode.BadGateway),
        new AmazonDynamoDBException("x", ErrorType.Sender, "ThrottlingException", "r", HttpStatusCode.BadRequest),
        new TimeoutException(),
        new TaskCanceledException("HttpClient.Timeout elapsed"),
        new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)),
        new SocketException((int)SocketError.ConnectionRefused),
        new IOException("reset"),
        new AmazonClientException("wrapped", new IOException("reset")),
    ];

    public static TheoryData<Exception> Permanent() =>
    [
        new AmazonDynamoDBException("x", ErrorType.Sender, "ValidationException", "r", HttpStatusCode.BadRequest),
        new ConditionalCheckFailedException("x"),
        new ResourceNotFoundException("x"),
        new AmazonDynamoDBException("x", ErrorType.Sender, "AccessDeniedException", "r", HttpStatusCode.BadRequest),
        new InvalidOperationException("bug"),
    ];

    [Theory]
    [MemberData(nameof(Transient))]
    public void Transient_errors(Exception e) => Assert.True(DynamoErrorClassifier.IsTransient(e), e.GetType().Name);

    [Theory]
    [MemberData(nameof(Permanent))]
    public void Permanent_errors(Exception e) => Assert.False(DynamoErrorClassifier.IsTransient(e), e.GetType().Name);

    [Fact]
    public void Validation_and_throttling_are_recognised()
    {
        Assert.True(DynamoErrorClassifier.IsValidation(new AmazonDynamoDBException("x", ErrorType.Sender, "ValidationException", "r", HttpStatusCode.BadRequest)));
        Assert.False(DynamoErrorClassifier.IsValidation(new ResourceNotFoundException("x")));
        Assert.True(DynamoErrorClassifier.IsThrottling(new ProvisionedThroughputExceededException("x")));
        Assert.False(DynamoErrorClassifier.IsThrottling(new InternalServerErrorException("x")));
    }

    [Fact]
    public void Table_missing_message_names_every_table()
    {
        var e = new TableMissingException(["a", "b"]);
        Assert.Contains("'a'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], e.TableNames);
    }
}
