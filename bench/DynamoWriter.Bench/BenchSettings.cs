namespace DynamoWriter.Bench;

/// <summary>What one benchmark run measures and against which servers. Defaults fit a 2-core machine.</summary>
internal sealed record BenchSettings
{
    public const int DefaultEntries = 200_000;
    public const int DefaultStreams = 4;
    public const int DefaultPayloadBytes = 200;
    public const int DefaultRate = 1_000;
    public const int DefaultSeconds = 30;
    public const int DefaultMemoryEntries = 1_000_000;

    public string? Redis { get; init; }
    public string? Dynamo { get; init; }
    public int Entries { get; init; } = DefaultEntries;
    public int Streams { get; init; } = DefaultStreams;
    public int PayloadBytes { get; init; } = DefaultPayloadBytes;
    public int Rate { get; init; } = DefaultRate;
    public int Seconds { get; init; } = DefaultSeconds;
    public int MemoryEntries { get; init; } = DefaultMemoryEntries;
    public bool Quick { get; init; }
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();
    public string ResultsDirectory { get; init; } = "bench/results";
    public string? ServicePath { get; init; }

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    /// <summary>Whether a scenario runs the engine in this process (the ones an engine warm-up serves).</summary>
    public bool RunsAnyEngine => new[] { "latency", "overwrite", "skip-existing", "newer-wins", "exactly-once", "throttled", "redis" }.Any(Runs);
}
