using DynamoWriter.Checkpoints;

namespace DynamoWriter.Grains;

/// <summary>
/// The writer of one Redis stream (the grain key is the stream key). It is activated by the stream
/// provider's implicit subscription; other grains and clients ask it how far it got.
/// </summary>
[Alias("DynamoWriter.IStreamWriterGrain")]
public interface IStreamWriterGrain : IGrainWithStringKey
{
    /// <summary>The checkpoint, this activation's totals and whether it is paused waiting for DynamoDB.</summary>
    [Alias("GetStatus"), Orleans.Concurrency.AlwaysInterleave]
    Task<StreamWriterStatus> GetStatusAsync();
}

/// <summary>What a writer grain reports about its stream.</summary>
[GenerateSerializer, Immutable, Alias("DynamoWriter.StreamWriterStatus")]
public sealed record StreamWriterStatus(
    [property: Id(0)] string Stream,
    [property: Id(1)] StreamCheckpoint Checkpoint,
    [property: Id(2)] long Written,
    [property: Id(3)] long Skipped,
    [property: Id(4)] long DeadLettered,
    [property: Id(5)] long Acknowledged,
    [property: Id(6)] bool Paused,
    [property: Id(7)] long Deleted);
