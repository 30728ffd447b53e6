using DynamoWriter.Checkpoints;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace DynamoWriter.Grains.Writer;

/// <summary>
/// The writer of one Redis stream (its key is the grain key). Activated by the provider's implicit
/// subscription, it writes each read it is handed with the configured policy, acknowledges exactly what
/// became durable (or was skipped or dead-lettered), and keeps the stream's checkpoint in grain state.
/// One activation handles one read at a time (grains are not reentrant), so a stream is written in order.
/// It is placed on the silo whose pulling agent first delivers to it, the reader of its queue: placed
/// elsewhere, every read would be serialized and sent between silos, and acknowledged from there.
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.Entries)]
[Orleans.Placement.PreferLocalPlacement]
internal sealed partial class StreamWriterGrain : Grain, IStreamWriterGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<StreamEntry>
{
    /// <summary>The grain storage that holds checkpoints (<c>sc.checkpoint.tableName</c>).</summary>
    public const string StorageName = "dynamo-writer-checkpoints";
    internal const string StateName = "checkpoint";

    private readonly IPersistentState<StreamCheckpoint> _checkpoint;
    private readonly WriterContext _ctx;
    private readonly ILogger<StreamWriterGrain> _logger;
    private readonly RecentEntries _recent;
    private string _stream = "";

    public StreamWriterGrain(
        [PersistentState(StateName, StorageName)] IPersistentState<StreamCheckpoint> checkpoint,
        WriterContext context,
        ILogger<StreamWriterGrain> logger)
    {
        _checkpoint = checkpoint;
        _ctx = context;
        _logger = logger;
        _recent = new RecentEntries(Math.Clamp(context.Options.Stream.ReadCount * 8, 1_000, 100_000));
    }

    private KeyValuePair<string, object?> StreamTag => new("stream", _stream);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetPrimaryKeyString();
        WriterLog.Activated(_logger, _stream, _ctx.SiloName, _checkpoint.State.Position);
        if (!_ctx.Options.DynamoDB.ExactlyOnce)
        {
            // With exactly-once every batch commits the checkpoint itself.
            StartCheckpointTimer();
        }

        if (_ctx.SkipSubscription?.Invoke(_stream) == true)
        {
            return;
        }

        // Attach to the implicit subscription now; OnSubscribed is the second line of defence, run by
        // Orleans when a batch arrives for an activation without an observer (it would drop it otherwise).
        var stream = this.GetStreamProvider(StreamNamespaces.ProviderName)
            .GetStream<StreamEntry>(StreamId.Create(StreamNamespaces.Entries, _stream));
        await stream.SubscribeAsync(this).ConfigureAwait(true);
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        if (_ctx.SkipSubscription?.Invoke(_stream) == true)
        {
            return;
        }

        await handleFactory.Create<StreamEntry>().ResumeAsync(this).ConfigureAwait(true);
    }

    public Task OnNextAsync(IList<SequentialItem<StreamEntry>> items)
    {
        var entries = new StreamEntry[items.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = items[i].Item;
        }

        return ProcessAsync(entries);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        WriterLog.BatchFailed(_logger, ex, _stream);
        return Task.CompletedTask;
    }

    public Task<StreamWriterStatus> GetStatusAsync() =>
        Task.FromResult(new StreamWriterStatus(_stream, _checkpoint.State, _written, _skipped, _deadLettered, _acknowledged, _paused, _deleted));

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _checkpointTimer?.Dispose();
        LeavePause(0);
        if (!_ctx.Options.DynamoDB.ExactlyOnce)
        {
            await WriteCheckpointAsync().ConfigureAwait(true);
        }
    }
}
