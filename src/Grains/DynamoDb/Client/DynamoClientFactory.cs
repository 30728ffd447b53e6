using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>Builds the one DynamoDB client a process shares (it is thread-safe and pools connections).</summary>
public static class DynamoClientFactory
{
    /// <summary>Per-request HTTP timeout. Our own retry loop handles what times out.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed to open a TCP (and TLS) connection.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound on pooled connections to the endpoint; far above what the writers keep in flight.</summary>
    public const int MaxConnectionsPerServer = 1024;

    /// <summary>
    /// <c>Endpoint</c> empty: the AWS default credential chain and the region's endpoint.
    /// <c>host:port</c> or <c>http(s)://host:port</c>: that server with dummy credentials (dynalite, DynamoDB Local).
    /// SDK retries are off: the writers retry with their own backoff, counting and bounding each attempt.
    /// </summary>
    public static IAmazonDynamoDB Create(DynamoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = CreateConfig(options);
        var endpoint = NormalizeEndpoint(options.Endpoint);
        if (endpoint is null)
        {
            return new AmazonDynamoDBClient(config);
        }

        return new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), config);
    }

    internal static AmazonDynamoDBConfig CreateConfig(DynamoDbOptions options)
    {
        var region = string.IsNullOrWhiteSpace(options.Region) ? DynamoDbOptions.DefaultRegion : options.Region.Trim();
        var config = new AmazonDynamoDBConfig
        {
            MaxErrorRetry = 0,
            RetryMode = RequestRetryMode.Standard,
            ThrottleRetries = false,
            Timeout = RequestTimeout,
            ConnectTimeout = ConnectTimeout,
            MaxConnectionsPerServer = MaxConnectionsPerServer,
            CacheHttpClient = true,
        };

        var endpoint = NormalizeEndpoint(options.Endpoint);
        if (endpoint is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region;
        }

        return config;
    }

    /// <summary>"localhost:8000" → "http://localhost:8000"; "" → null (AWS default).</summary>
    internal static string? NormalizeEndpoint(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        var e = endpoint.Trim();
        return e.Contains("://", StringComparison.Ordinal) ? e : "http://" + e;
    }
}
