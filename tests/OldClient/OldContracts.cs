namespace OldRelease;

// The writer grain's contract before deletes existed: same aliases, one field fewer in each type.

[Alias("DynamoWriter.IStreamWriterGrain")]
public interface IStreamWriterGrain : IGrainWithStringKey
{
    [Alias("GetStatus")]
    Task<StreamWriterStatus> GetStatusAsync();
}

[GenerateSerializer, Immutable, Alias("DynamoWriter.StreamWriterStatus")]
public sealed record StreamWriterStatus(
    [property: Id(0)] string Stream,
    [property: Id(1)] StreamCheckpoint Checkpoint,
    [property: Id(2)] long Written,
    [property: Id(3)] long Skipped,
    [property: Id(4)] long DeadLettered,
    [property: Id(5)] long Acknowledged,
    [property: Id(6)] bool Paused);

[GenerateSerializer, Alias("DynamoWriter.StreamCheckpoint")]
public sealed class StreamCheckpoint
{
    [Id(0)] public string Group { get; set; } = "";
    [Id(1)] public string Stream { get; set; } = "";
    [Id(2)] public string Position { get; set; } = "";
    [Id(3)] public long Written { get; set; }
    [Id(4)] public long Skipped { get; set; }
    [Id(5)] public long DeadLettered { get; set; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(7)] public string UpdatedBy { get; set; } = "";
}
