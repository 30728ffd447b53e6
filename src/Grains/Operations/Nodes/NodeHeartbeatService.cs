using DynamoWriter.Streaming.Redis.Storage;
using System.Reflection;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.Operations.Status;
using DynamoWriter.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations.Nodes;

/// <summary>
/// Refreshes this node's <see cref="NodeHeartbeat"/> under <c>dynamo-writer:nodes:&lt;group&gt;:&lt;name&gt;</c>
/// every <see cref="Interval"/> with a TTL of three intervals, and deletes it on a clean stop, so
/// <c>dynamo-writer status</c> knows at once. The counts are this process's <see cref="WriterTotals"/>; the
/// streams are the configured literal ones plus those the glob patterns match, re-matched at most every
/// <c>sc.stream.discoverInterval</c>.
/// </summary>
public sealed class NodeHeartbeatService : BackgroundService
{
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(2);
    private static readonly string Version =
        typeof(NodeHeartbeatService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private readonly DynamoWriterRedis _redis;
    private readonly DynamoWriterOptions _options;
    private readonly NodeIdentity _node;
    private readonly WriterTotals _totals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StreamStatusReader _streams;
    private IReadOnlyList<string> _resolved;
    private DateTimeOffset _resolvedAt = DateTimeOffset.MinValue;

    public NodeHeartbeatService(DynamoWriterRedis redis, IOptions<DynamoWriterOptions> options, NodeIdentity node, WriterTotals totals,
        ILogger<NodeHeartbeatService> logger, TimeProvider? time = null)
    {
        _redis = redis;
        _options = options.Value;
        _node = node;
        _totals = totals;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _streams = new StreamStatusReader(redis, _options.Stream, _time);
        _resolved = StreamStatusReader.LiteralStreams(_options.Stream).ToList();
    }

    /// <summary>The queues this node reads (consumer names), for <c>status</c> to show who owns what; none when unset.</summary>
    public Func<IReadOnlyList<string>>? Queues { get; init; }

    /// <summary>How often the key is refreshed; its TTL is three times this.</summary>
    public TimeSpan Interval { get; init; } = NodeHeartbeat.DefaultInterval;

    /// <summary>The key this node refreshes.</summary>
    public string Key => NodeHeartbeat.KeyFor(_options.Stream.Group, _node.Name);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    OperationsLog.Progress(_logger, _totals.Read, _totals.Written, _totals.Acknowledged, string.Join(", ", _resolved));
                }

                try
                {
                    await BeatOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    OperationsLog.HeartbeatFailed(_logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes the heartbeat once (SET with a TTL of three intervals).</summary>
    public async Task BeatOnceAsync(CancellationToken cancellationToken)
    {
        var streams = await StreamsAsync(cancellationToken).ConfigureAwait(false);
        var beat = new NodeHeartbeat(_node.Name, _options.Stream.Group, Version, Environment.MachineName, Environment.ProcessId, _node.StartedAt,
            _time.GetUtcNow(), streams, _totals.Read, _totals.Written, _totals.Skipped, _totals.DeadLettered, _totals.Acknowledged)
        {
            Queues = Queues?.Invoke() ?? [],
            Deleted = _totals.Deleted,
        };
        var db = await _redis.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await db.StringSetAsync(Key, beat.ToJson(), Interval * 3).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A node that stops cleanly says so at once instead of letting its heartbeat expire.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RemoveTimeout);
            var db = await _redis.GetDatabaseAsync(timeout.Token).ConfigureAwait(false);
            await db.KeyDeleteAsync(Key).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OperationsLog.HeartbeatFailed(_logger, ex);
        }
    }

    private async Task<IReadOnlyList<string>> StreamsAsync(CancellationToken cancellationToken)
    {
        if (!_options.Stream.Streams.Any(StreamKeys.IsPattern))
        {
            return _resolved;
        }

        var now = _time.GetUtcNow();
        if (now - _resolvedAt >= _options.Stream.DiscoverInterval)
        {
            try
            {
                _resolved = await _streams.ResolveStreamsAsync(cancellationToken).ConfigureAwait(false);
                _resolvedAt = now;
            }
            catch (RedisException)
            {
                // The SET below will fail too and say so; keep the last list.
            }
        }

        return _resolved;
    }
}
