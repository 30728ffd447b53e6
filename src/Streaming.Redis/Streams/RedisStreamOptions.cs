using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>Options of one Redis Streams provider (named options, under the provider's name).</summary>
public sealed class RedisStreamOptions
{
    public const string DefaultGroup = "stream-consumer";
    public const int DefaultReadCount = 500;
    public const int DefaultQueues = 8;
    public const string DefaultDeadLetterStream = "{stream}:dlq";
    public const string DefaultConsumerPrefix = "dynamo-writer";
    public const string StreamPlaceholder = "{stream}";
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan DefaultClaimInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultClaimMinIdle = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultDiscoverInterval = TimeSpan.FromSeconds(30);

    /// <summary>How to reach Redis. One multiplexer per provider is created from it (and disposed with the provider).</summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Instead of <see cref="ConfigurationOptions"/>: supplies the multiplexer (not disposed by the provider).</summary>
    public Func<IServiceProvider, Task<IConnectionMultiplexer>>? CreateMultiplexer { get; set; }

    /// <summary>The consumer group every silo reads through.</summary>
    public string Group { get; set; } = DefaultGroup;

    /// <summary>Stream keys to consume: literal keys and glob patterns (<c>orders:*</c>) matched by SCAN.</summary>
    public IList<string> Streams { get; set; } = [];

    /// <summary>Entries per stream per XREADGROUP (and per XAUTOCLAIM page); one batch container holds at most this many.</summary>
    public int ReadCount { get; set; } = DefaultReadCount;

    /// <summary>How often the pulling agent reads when a read came back empty (Redis reads do not block).</summary>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>Orleans queues the streams are spread over; each queue is one consumer in the group.</summary>
    public int Queues { get; set; } = DefaultQueues;

    /// <summary>How often each queue claims entries idle in any consumer's pending list.</summary>
    public TimeSpan ClaimInterval { get; set; } = DefaultClaimInterval;

    /// <summary>How long an entry must be idle in a pending list before it is claimed.</summary>
    public TimeSpan ClaimMinIdle { get; set; } = DefaultClaimMinIdle;

    /// <summary>How often glob patterns in <see cref="Streams"/> are matched against existing keys.</summary>
    public TimeSpan DiscoverInterval { get; set; } = DefaultDiscoverInterval;

    /// <summary>The dead-letter stream key; <c>{stream}</c> is replaced by the source stream key.</summary>
    public string DeadLetterStream { get; set; } = DefaultDeadLetterStream;

    /// <summary>Consumers are named <c>{ConsumerPrefix}-q{queue}</c>, the same on every silo.</summary>
    public string ConsumerPrefix { get; set; } = DefaultConsumerPrefix;

    /// <summary>
    /// Called when a stream's group is missing: the durable checkpoint (an entry ID) to create the group at,
    /// or null to create it at <c>0</c> (the whole stream).
    /// </summary>
    public Func<string, CancellationToken, Task<string?>>? GroupStartPosition { get; set; }

    /// <summary>The dead-letter stream key of <paramref name="stream"/>.</summary>
    public string DeadLetterStreamFor(string stream) => DeadLetterStream.Replace(StreamPlaceholder, stream, StringComparison.Ordinal);

    /// <summary>The consumer name of queue number <paramref name="queue"/>.</summary>
    public string ConsumerFor(uint queue) => $"{ConsumerPrefix}-q{queue}";
}
