using System.Text.Json;
using System.Text.Json.Serialization;

namespace DynamoWriter.Status;

/// <summary>
/// Everything <c>dynamo-writer status</c> shows: per stream of the group, and the live nodes. The JSON
/// form (<see cref="ToJson"/>) is an interface for scripts: field names are stable and documented in the
/// README ("Status"). Serializable so the management grain can return it to clients.
/// </summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.StatusReport")]
public sealed record StatusReport(
    [property: Id(0)] string Group,
    [property: Id(1)] DateTimeOffset GeneratedAt,
    [property: Id(2)] IReadOnlyList<StreamStatus> Streams,
    [property: Id(3)] IReadOnlyList<NodeStatus> Nodes)
{
    /// <summary>Version of the JSON document's shape; raised only when a field changes meaning or is removed.</summary>
    [Id(4)]
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The cluster's silos from the membership table in Redis (empty with localhost clustering or none running).</summary>
    [Id(5)]
    public IReadOnlyList<SiloMember> Silos { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, StatusJson.Default.StatusReport);

    public static StatusReport? FromJson(string json) => JsonSerializer.Deserialize(json, StatusJson.Default.StatusReport);
}

/// <summary>One source stream: Redis numbers for the group, its dead-letter stream, its durable checkpoint.</summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.StreamStatus")]
public sealed record StreamStatus(
    [property: Id(0)] string Stream,
    [property: Id(1)] bool Exists,
    [property: Id(2)] long Length,
    [property: Id(3)] bool GroupExists,
    [property: Id(4)] long? Lag,
    [property: Id(5)] long Pending,
    [property: Id(6)] double? OldestPendingAgeSeconds,
    [property: Id(7)] DeadLetterStatus DeadLetter,
    [property: Id(8)] CheckpointStatus? Checkpoint)
{
    /// <summary>The Orleans queue that reads the stream, by its consumer name (<c>{serviceId}-q{n}</c>).</summary>
    [Id(9)]
    public string? Queue { get; init; }

    /// <summary>The node whose heartbeat says it reads <see cref="Queue"/>; null when no live node does.</summary>
    [Id(10)]
    public string? Owner { get; init; }
}

[GenerateSerializer, Immutable, Alias("DynamoWriter.DeadLetterStatus")]
public sealed record DeadLetterStatus([property: Id(0)] string Stream, [property: Id(1)] long Length);

/// <summary>The durable checkpoint of (group, stream): every entry up to and including <see cref="Id"/> is persisted.</summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.CheckpointStatus")]
public sealed record CheckpointStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] long Written,
    [property: Id(2)] long Skipped,
    [property: Id(3)] long DeadLettered,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] string UpdatedBy)
{
    /// <summary>Delete entries applied, over all nodes.</summary>
    [Id(6)]
    public long Deleted { get; init; }
}

/// <summary>A node whose heartbeat key is alive.</summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.NodeStatus")]
public sealed record NodeStatus(
    [property: Id(0)] string Name,
    [property: Id(1)] string Host,
    [property: Id(2)] int Pid,
    [property: Id(3)] string Version,
    [property: Id(4)] DateTimeOffset StartedAt,
    [property: Id(5)] DateTimeOffset LastHeartbeatAt,
    [property: Id(6)] double LastHeartbeatAgeSeconds,
    [property: Id(7)] IReadOnlyList<string> Streams,
    [property: Id(8)] NodeCounts Counts)
{
    /// <summary>The Orleans queues the node reads, by consumer name.</summary>
    [Id(9)]
    public IReadOnlyList<string> Queues { get; init; } = [];
}

/// <summary>One silo of the cluster as its membership entry says: address, Orleans status, last "I am alive".</summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.SiloMember")]
public sealed record SiloMember(
    [property: Id(0)] string Name,
    [property: Id(1)] string Address,
    [property: Id(2)] string Host,
    [property: Id(3)] string Status,
    [property: Id(4)] DateTimeOffset StartedAt,
    [property: Id(5)] DateTimeOffset LastAliveAt);

[GenerateSerializer, Immutable, Alias("DynamoWriter.NodeCounts")]
public sealed record NodeCounts(
    [property: Id(0)] long Read,
    [property: Id(1)] long Written,
    [property: Id(2)] long Skipped,
    [property: Id(3)] long DeadLettered,
    [property: Id(4)] long Acknowledged)
{
    /// <summary>Delete entries applied since the node started.</summary>
    [Id(5)]
    public long Deleted { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJson : JsonSerializerContext;
