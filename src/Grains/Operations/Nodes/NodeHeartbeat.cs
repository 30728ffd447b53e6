using System.Text.Json;
using System.Text.Json.Serialization;

namespace DynamoWriter.Grains.Operations.Nodes;

/// <summary>
/// What a running node says about itself, refreshed in Redis under <see cref="KeyFor"/> with a TTL:
/// a node whose key expired is dead (or cut off), whatever its consumer entry in the group says.
/// </summary>
public sealed record NodeHeartbeat(
    string Name,
    string Group,
    string Version,
    string Host,
    int ProcessId,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> Streams,
    long Read,
    long Written,
    long Skipped,
    long DeadLettered,
    long Acknowledged)
{
    public const string KeyPrefix = "dynamo-writer:nodes:";

    /// <summary>The Orleans queues this node reads, by consumer name; empty from nodes that do not say.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>Delete entries applied since the node started; 0 from nodes that do not say.</summary>
    public long Deleted { get; init; }
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>The key a node of <paramref name="group"/> named <paramref name="name"/> refreshes.</summary>
    public static string KeyFor(string group, string name) => $"{KeyPrefix}{group}:{name}";

    /// <summary>SCAN pattern for every node of a group (glob characters in the group name escaped).</summary>
    public static string PatternFor(string group) => $"{KeyPrefix}{EscapeGlob(group)}:*";

    public string ToJson() => JsonSerializer.Serialize(this, NodeHeartbeatJson.Default.NodeHeartbeat);

    public static NodeHeartbeat? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, NodeHeartbeatJson.Default.NodeHeartbeat);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string EscapeGlob(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal)
         .Replace("?", "\\?", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NodeHeartbeat))]
internal sealed partial class NodeHeartbeatJson : JsonSerializerContext;
