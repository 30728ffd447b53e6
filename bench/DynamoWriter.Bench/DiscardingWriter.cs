using DynamoWriter.Grains.DynamoDb;

namespace DynamoWriter.Bench;

/// <summary>Benchmark-only sink: every item counts as written, nothing is sent anywhere.</summary>
internal sealed class DiscardingWriter : IItemWriter
{
    public Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<WriteItem> items, CancellationToken ct)
    {
        var outcomes = new WriteOutcome[items.Count];
        Array.Fill(outcomes, WriteOutcome.Written);
        return Task.FromResult<IReadOnlyList<WriteOutcome>>(outcomes);
    }
}
