using DynamoWriter.DeadLetters;
using DynamoWriter.Status;

namespace DynamoWriter.Grains;

/// <summary>
/// Operations of a running DynamoWriter cluster for clients and other grains: what <c>dynamo-writer status</c>
/// shows and <c>dynamo-writer dlq replay</c> does, answered by whichever silo the call reaches. Use the key
/// <see cref="Key"/>: <c>grainFactory.GetGrain&lt;IDynamoWriterManagementGrain&gt;(IDynamoWriterManagementGrain.Key)</c>.
/// </summary>
[Alias("DynamoWriter.IDynamoWriterManagementGrain")]
public interface IDynamoWriterManagementGrain : IGrainWithIntegerKey
{
    /// <summary>The one key; the grain is a stateless worker, so every silo answers locally.</summary>
    const long Key = 0;

    /// <summary>The group's streams (numbers, checkpoint, queue and its owner), the live nodes and the cluster's silos.</summary>
    [Alias("GetStatus"), Orleans.Concurrency.AlwaysInterleave]
    Task<StatusReport> GetStatusAsync();

    /// <summary>
    /// Moves up to <paramref name="count"/> entries (all when null) of <paramref name="stream"/>'s dead-letter
    /// stream (<c>sc.stream.deadLetter.stream</c>) back to their source stream.
    /// </summary>
    [Alias("ReplayDeadLetters")]
    Task<DeadLetterReplayResult> ReplayDeadLettersAsync(string stream, long? count);
}
