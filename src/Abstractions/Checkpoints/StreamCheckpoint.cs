namespace DynamoWriter.Checkpoints;

/// <summary>
/// The durable position of one (group, stream): every entry up to and including <see cref="Position"/> is
/// persisted, deleted, skipped by the write policy or dead-lettered. It is the writer grain's state, stored in
/// <c>sc.checkpoint.tableName</c>; the totals are summed over every activation that ever wrote it.
/// </summary>
[GenerateSerializer, Alias("DynamoWriter.StreamCheckpoint")]
public sealed class StreamCheckpoint
{
    [Id(0)] public string Group { get; set; } = "";
    [Id(1)] public string Stream { get; set; } = "";

    /// <summary>An entry ID (<c>ms-seq</c>); empty until the first checkpoint is written.</summary>
    [Id(2)] public string Position { get; set; } = "";
    [Id(3)] public long Written { get; set; }
    [Id(4)] public long Skipped { get; set; }
    [Id(5)] public long DeadLettered { get; set; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The silo that wrote it last.</summary>
    [Id(7)] public string UpdatedBy { get; set; } = "";

    /// <summary>Delete entries applied (the item with their key removed).</summary>
    [Id(8)] public long Deleted { get; set; }
}
