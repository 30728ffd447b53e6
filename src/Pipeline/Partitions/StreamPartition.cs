using System.Threading.Channels;
using DynamoWriter.DynamoDb;

namespace DynamoWriter.Pipeline.Partitions;

/// <summary>
/// One stream of one consumer group: a reader loop that pulls entries with XREADGROUP into a bounded
/// channel, and a writer loop that batches them into DynamoDB and acknowledges what is persisted.
/// The bounded channel is the back-pressure: when writing falls behind, the reader waits instead of
/// pulling more entries into memory.
/// </summary>
internal sealed partial class StreamPartition
{
    private readonly PartitionContext _ctx;
    private readonly IItemWriter _writer;
    private readonly TableKeySchema _schema;
    private readonly Channel<StreamEntry> _entries;
    private readonly SemaphoreSlim _batchSlots;
    private readonly int _maxBatches;
    private readonly AckCoalescer _acks;

    public StreamPartition(string stream, PartitionContext ctx, IItemWriter writer, TableKeySchema schema)
    {
        Stream = stream;
        _ctx = ctx;
        _writer = writer;
        _schema = schema;
        var dynamo = ctx.Options.DynamoDB;
        _maxBatches = ConcurrentBatches(dynamo);
        _batchSlots = new SemaphoreSlim(_maxBatches, _maxBatches);
        _acks = new AckCoalescer(SendAcknowledgementAsync);
        // Room for one read, or for every batch slot once: enough to keep the writer busy. Every entry
        // buffered here outlives a gen-0 collection, so a deeper buffer costs GC time and memory, not speed.
        var capacity = Math.Max(ctx.Options.Stream.ReadCount, dynamo.BatchSize * _maxBatches);
        _entries = Channel.CreateBounded<StreamEntry>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false, // the reader and the claimer both feed it
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Stream { get; }

    /// <summary>What the reader loop is doing now; for the periodic progress line that diagnoses a stall.</summary>
    private volatile string _readerState = "starting";

    /// <summary>A one-line picture of the partition: reader state, buffered entries, batches in flight, pauses.</summary>
    public string Describe() =>
        $"{Stream}: reader {_readerState}, {_entries.Reader.Count} buffered, {Volatile.Read(ref _batchesInFlight)}/{_maxBatches} batches in flight, {Volatile.Read(ref _pausedBatches)} paused";

    /// <summary>
    /// Runs until <paramref name="readToken"/> stops reading and everything read is written and
    /// acknowledged, or until <paramref name="hardToken"/> abandons in-flight work (it stays pending).
    /// </summary>
    public async Task RunAsync(CancellationToken readToken, CancellationToken hardToken)
    {
        var writing = WriteLoopAsync(hardToken);
        var checkpointing = CheckpointLoopAsync(readToken);
        try
        {
            await Task.WhenAll(ReadLoopAsync(readToken, hardToken), ClaimLoopAsync(readToken, hardToken)).ConfigureAwait(false);
        }
        finally
        {
            _entries.Writer.TryComplete();
        }

        await writing.ConfigureAwait(false);
        await checkpointing.ConfigureAwait(false);
        // Shutdown order: reading stopped, in-flight writes finished and acknowledged, then the
        // final checkpoint (unless the hard deadline already abandoned the work).
        if (!hardToken.IsCancellationRequested)
        {
            await WriteCheckpointAsync(hardToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Concurrent batch requests per partition. Batch writes carry 25 items each, so maxInFlight counts
    /// requests directly; conditional writers fan a batch out into one request per item themselves.
    /// </summary>
    internal static int ConcurrentBatches(Options.DynamoDbOptions dynamo) =>
        dynamo.WritePolicy == WritePolicy.Overwrite
            ? Math.Max(1, Math.Min(dynamo.MaxInFlight, 16))
            : Math.Max(1, dynamo.MaxInFlight / Math.Max(1, dynamo.BatchSize));
}
