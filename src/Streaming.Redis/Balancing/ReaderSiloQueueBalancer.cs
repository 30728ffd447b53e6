using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Metadata;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Balancing;

/// <summary>
/// Spreads the provider's queues over the active silos that run it. Orleans' default balancer
/// (<c>ConsistentRingQueueBalancer</c>) spreads them over every silo, so in a cluster shared with app silos
/// that do not add the provider, their queues would go unread (dotnet/orleans#7689, #7037).
/// </summary>
internal sealed class ReaderSiloQueueBalancer : QueueBalancerBase
{
    private readonly IClusterManifestProvider _manifests;
    private readonly string _provider;
    private readonly Lock _gate = new();
    private IReadOnlyList<QueueId> _queues = [];
    private IReadOnlySet<QueueId> _mine = new HashSet<QueueId>();
    private Task _watching = Task.CompletedTask;

    private ReaderSiloQueueBalancer(IServiceProvider services, string provider, ILogger logger)
        : base(services, logger)
    {
        _manifests = services.GetRequiredService<IClusterManifestProvider>();
        _provider = provider;
    }

    public static IStreamQueueBalancer Create(IServiceProvider services, string provider) =>
        new ReaderSiloQueueBalancer(services, provider, services.GetRequiredService<ILoggerFactory>().CreateLogger("DynamoWriter.Streaming.Redis"));

    public override Task Initialize(IStreamQueueMapper queueMapper)
    {
        ArgumentNullException.ThrowIfNull(queueMapper);
        _queues = [.. queueMapper.GetAllQueues()];
        _watching = Task.Run(WatchManifestsAsync);
        return base.Initialize(queueMapper);
    }

    public override IEnumerable<QueueId> GetMyQueues()
    {
        lock (_gate)
        {
            var mine = Distribute(_manifests.Current, out var readers);
            if (!mine.SetEquals(_mine))
            {
                Log.QueuesBalanced(Logger, _provider, readers, mine.Count, _queues.Count, string.Join(",", mine.Order()));
            }

            _mine = mine;
            return mine;
        }
    }

    public override async Task Shutdown()
    {
        await base.Shutdown();
        await _watching;
    }

    /// <summary>
    /// Nothing to do here: the cluster manifest follows membership (a silo that stops being active leaves
    /// it) and is watched instead, since a new silo counts as a reader only once its manifest has arrived.
    /// </summary>
    protected override void OnClusterMembershipChange(HashSet<SiloAddress> activeSilos)
    {
    }

    private async Task WatchManifestsAsync()
    {
        try
        {
            await foreach (var manifest in _manifests.Updates.WithCancellation(Cancellation))
            {
                try
                {
                    bool changed;
                    lock (_gate)
                    {
                        changed = !Distribute(manifest, out _).SetEquals(_mine);
                    }

                    if (changed)
                    {
                        await NotifyListeners(); // the pulling manager asks GetMyQueues and starts or stops agents
                    }
                }
                catch (Exception exception) when (!Cancellation.IsCancellationRequested)
                {
                    // Not the end of re-balancing: this silo's queues still differ, so the next change tries again.
                    Log.RebalanceFailed(Logger, exception, _provider);
                }
            }
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
        }
    }

    private IReadOnlySet<QueueId> Distribute(ClusterManifest manifest, out int readerCount)
    {
        var readers = ReaderSilos.In(manifest, _provider);
        readerCount = readers.Count;
        return QueueDistribution.For(SiloAddress, _queues, readers);
    }
}
