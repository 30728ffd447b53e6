using System.Text.Json;
using System.Text.Json.Serialization;

namespace DynamoWriter.Grains.Operations.Status;

/// <summary>
/// Everything <c>dynamo-writer status</c> shows: per stream of the group, and the live nodes. The JSON
/// form (<see cref="ToJson"/>) is an interface for scripts: field names are stable and documented in the
/// README ("Status").
/// </summary>
public sealed record StatusReport(
    string Group,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<StreamStatus> Streams,
    IReadOnlyList<NodeStatus> Nodes)
{
    /// <summary>Version of the JSON document's shape; raised only when a field changes meaning or is removed.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The cluster's silos from the membership table in Redis (empty with localhost clustering or none running).</summary>
    public IReadOnlyList<SiloMember> Silos { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, StatusJson.Default.StatusReport);

    public static StatusReport? FromJson(string json) => JsonSerializer.Deserialize(json, StatusJson.Default.StatusReport);
}

/// <summary>One source stream: Redis numbers for the group, its dead-letter stream, its durable checkpoint.</summary>
public sealed record StreamStatus(
    string Stream,
    bool Exists,
    long Length,
    bool GroupExists,
    long? Lag,
    long Pending,
    double? OldestPendingAgeSeconds,
    DeadLetterStatus DeadLetter,
    CheckpointStatus? Checkpoint)
{
    /// <summary>The Orleans queue that reads the stream, by its consumer name (<c>{serviceId}-q{n}</c>).</summary>
    public string? Queue { get; init; }

    /// <summary>The node whose heartbeat says it reads <see cref="Queue"/>; null when no live node does.</summary>
    public string? Owner { get; init; }
}

public sealed record DeadLetterStatus(string Stream, long Length);

/// <summary>The durable checkpoint of (group, stream): every entry up to and including <see cref="Id"/> is persisted.</summary>
public sealed record CheckpointStatus(string Id, long Written, long Skipped, long DeadLettered, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    /// <summary>Delete entries applied, over all nodes.</summary>
    public long Deleted { get; init; }
}

/// <summary>A node whose heartbeat key is alive.</summary>
public sealed record NodeStatus(
    string Name,
    string Host,
    int Pid,
    string Version,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeatAt,
    double LastHeartbeatAgeSeconds,
    IReadOnlyList<string> Streams,
    NodeCounts Counts)
{
    /// <summary>The Orleans queues the node reads, by consumer name.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];
}

/// <summary>One silo of the cluster as its membership entry says: address, Orleans status, last "I am alive".</summary>
public sealed record SiloMember(string Name, string Address, string Host, string Status, DateTimeOffset StartedAt, DateTimeOffset LastAliveAt);

public sealed record NodeCounts(long Read, long Written, long Skipped, long DeadLettered, long Acknowledged)
{
    /// <summary>Delete entries applied since the node started.</summary>
    public long Deleted { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJson : JsonSerializerContext;
