namespace DynamoWriter.Options;

public sealed class RedisServerOptions
{
    public string Address { get; set; } = "";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public int Db { get; set; }
    public bool Tls { get; set; }
}

public sealed class StreamOptions
{
    public const string DefaultRedisAddress = "localhost:6379";
    public const string DefaultGroup = "stream-consumer";
    public const int DefaultReadCount = 500;
    public static readonly TimeSpan DefaultBlock = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan DefaultClaimInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultClaimMinIdle = TimeSpan.FromSeconds(60);
    public const int DefaultMaxDeliveries = 10;
    public static readonly TimeSpan DefaultDiscoverInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultConsumerExpiry = TimeSpan.FromHours(1);

    public RedisServerOptions Redis { get; set; } = new() { Address = DefaultRedisAddress };

    /// <summary>Same meaning as <see cref="Redis"/>; used instead of it when its address is set.</summary>
    public RedisServerOptions Valkey { get; set; } = new();

    public string Group { get; set; } = DefaultGroup;

    /// <summary>Consumer name; empty means host name + process id.</summary>
    public string Consumer { get; set; } = "";

    /// <summary>Stream keys (or glob patterns) to consume.</summary>
    public List<string> Streams { get; set; } = ["events"];

    public int ReadCount { get; set; } = DefaultReadCount;
    /// <summary>Kept so the Go service's files still bind; StackExchange.Redis cannot block, so it is ignored (logged once).</summary>
    public TimeSpan Block { get; set; } = DefaultBlock;

    /// <summary>How often an idle Orleans queue polls its Redis streams (XREADGROUP); a queue with data reads again at once.</summary>
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;
    public TimeSpan ClaimInterval { get; set; } = DefaultClaimInterval;
    public TimeSpan ClaimMinIdle { get; set; } = DefaultClaimMinIdle;
    public int MaxDeliveries { get; set; } = DefaultMaxDeliveries;
    public TimeSpan DiscoverInterval { get; set; } = DefaultDiscoverInterval;
    public TimeSpan ConsumerExpiry { get; set; } = DefaultConsumerExpiry;
    public bool TrimPersisted { get; set; }
    public DeadLetterOptions DeadLetter { get; set; } = new();

    /// <summary>The server actually used: Valkey when its address is set, else Redis.</summary>
    public RedisServerOptions EffectiveServer => string.IsNullOrWhiteSpace(Valkey.Address) ? Redis : Valkey;
}

public sealed class DeadLetterOptions
{
    public const string DefaultStream = "{stream}:dlq";

    /// <summary>Dead-letter stream key; <c>{stream}</c> is replaced by the source stream key.</summary>
    public string Stream { get; set; } = DefaultStream;

    public string KeyFor(string sourceStream) => Stream.Replace("{stream}", sourceStream, StringComparison.Ordinal);
}
