namespace DynamoWriter.Grains.Operations.Nodes;

/// <summary>Who this process is in the group: the silo's name, and when it started. Registered by the hosting.</summary>
/// <param name="Name">The silo name; the heartbeat key is <c>dynamo-writer:nodes:&lt;group&gt;:&lt;Name&gt;</c>.</param>
/// <param name="StartedAt">When this process started.</param>
public sealed record NodeIdentity(string Name, DateTimeOffset StartedAt);
