using DynamoWriter.DeadLetters;
using DynamoWriter.Grains.Operations.DeadLetters;
using DynamoWriter.Grains.Operations.Status;
using DynamoWriter.Options;
using DynamoWriter.Status;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace DynamoWriter.Grains.Operations.Management;

/// <summary>
/// <see cref="IDynamoWriterManagementGrain"/> over the same <see cref="StatusReader"/> and
/// <see cref="DeadLetterReplayer"/> the command line uses. A stateless worker: it keeps nothing, so any silo
/// answers, the one a client's gateway call arrives at included, without a hop.
/// </summary>
[StatelessWorker]
internal sealed class DynamoWriterManagementGrain(StatusReader status, DeadLetterReplayer replayer, IOptions<DynamoWriterOptions> options)
    : Grain, IDynamoWriterManagementGrain
{
    public Task<StatusReport> GetStatusAsync() => status.ReadAsync(CancellationToken.None);

    public Task<DeadLetterReplayResult> ReplayDeadLettersAsync(string stream, long? count)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        return replayer.ReplayAsync(options.Value.Stream.DeadLetter.KeyFor(stream), stream, count);
    }
}
