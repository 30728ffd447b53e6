using DynamoWriter.Streaming.Redis.Storage;
using System.Globalization;
using Amazon.DynamoDBv2;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Grains.Operations.Status;
using DynamoWriter.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations.Maintenance;

/// <summary>
/// Housekeeping that keeps a many-node group healthy, every <c>sc.stream.discoverInterval</c> (kept between
/// 1 s and 1 min) for every stream of the group: removal of consumers idle longer than
/// <c>sc.stream.consumerExpiry</c> that own no pending entries, and with <c>sc.stream.trimPersisted</c>,
/// XTRIM MINID to what every group on the stream has durably checkpointed.
/// </summary>
/// <remarks>
/// The stream provider's consumers (<c>&lt;prefix&gt;-q&lt;n&gt;</c>) are only ever removed with nothing pending, in
/// the same script that checks it; XREADGROUP recreates one the next time its queue reads.
/// </remarks>
public sealed class MaintenanceService : BackgroundService
{
    /// <summary>
    /// Deletes consumers idle longer than ARGV[2] ms that own no pending entries, in one script so no
    /// consumer can take an entry between the check and the delete (DELCONSUMER drops its PEL).
    /// </summary>
    private const string ExpireConsumersScript = """
        local removed = 0
        for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
          local f = {}
          for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
          if f['pending'] == 0 and f['idle'] > tonumber(ARGV[2]) and f['name'] ~= ARGV[3] then
            redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
            removed = removed + 1
          end
        end
        return removed
        """;

    private readonly DynamoWriterRedis _redis;
    private readonly DynamoWriterOptions _options;
    private readonly string _nodeName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly StreamStatusReader _streams;
    private readonly CheckpointReader _checkpoints;

    public MaintenanceService(DynamoWriterRedis redis, IAmazonDynamoDB dynamo, IOptions<DynamoWriterOptions> options, NodeIdentity node,
        ILogger<MaintenanceService> logger, TimeProvider? time = null)
    {
        _redis = redis;
        _options = options.Value;
        _nodeName = node.Name;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _streams = new StreamStatusReader(redis, _options.Stream, _time);
        _checkpoints = new CheckpointReader(dynamo, _options.Checkpoint.TableName);
    }

    /// <summary>The interval: <c>sc.stream.discoverInterval</c>, at least 1 s and at most 1 min.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(_options.Stream.DiscoverInterval.Ticks, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round over every stream of the group; a failure is logged per stream and does not stop the others.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> streams;
        try
        {
            streams = await _streams.ResolveStreamsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            OperationsLog.MaintenanceFailed(_logger, ex, string.Join(",", _options.Stream.Streams));
            return;
        }

        foreach (var stream in streams.Where(s => !StreamKeys.IsDeadLetter(s, _options.Stream.DeadLetter.Stream)))
        {
            try
            {
                await ExpireIdleConsumersAsync(stream, cancellationToken).ConfigureAwait(false);
                if (_options.Stream.TrimPersisted)
                {
                    await TrimPersistedAsync(stream, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RedisServerException ex) when (RedisKeys.IsError(ex, "NOGROUP") || ex.Message.StartsWith("ERR no such key", StringComparison.Ordinal))
            {
                // A stream or group not created yet (or being recreated): nothing to expire or trim until it exists.
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                OperationsLog.MaintenanceFailed(_logger, ex, stream);
            }
        }
    }

    /// <summary>Removes the consumers of the group on <paramref name="stream"/> idle past the expiry with nothing pending; returns how many.</summary>
    public async Task<long> ExpireIdleConsumersAsync(string stream, CancellationToken cancellationToken)
    {
        var expiry = _options.Stream.ConsumerExpiry;
        if (expiry <= TimeSpan.Zero)
        {
            return 0; // 0 turns expiry off
        }

        var db = await _redis.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var reply = await db.ScriptEvaluateAsync(ExpireConsumersScript, [stream],
            [_options.Stream.Group, ((long)expiry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), _nodeName]).WaitAsync(cancellationToken).ConfigureAwait(false);
        var removed = (long)reply;
        if (removed > 0)
        {
            OperationsLog.ConsumersExpired(_logger, stream, removed);
        }

        return removed;
    }

    /// <summary>
    /// XTRIM MINID to the lowest durable checkpoint of every group on the stream; a group without a
    /// checkpoint (not ours, or not yet written) means nothing is trimmed, since we cannot know what it still needs.
    /// </summary>
    public async Task<long> TrimPersistedAsync(string stream, CancellationToken cancellationToken)
    {
        var db = await _redis.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        StreamEntryId? lowest = null;
        foreach (var group in await db.StreamGroupInfoAsync(stream).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await _checkpoints.GetPositionAsync(group.Name, stream, cancellationToken).ConfigureAwait(false) is not { } position)
            {
                return 0;
            }

            lowest = lowest is null || position < lowest ? position : lowest;
        }

        if (lowest is not { } minId || minId == StreamEntryId.Zero)
        {
            return 0;
        }

        var trimmed = await db.StreamTrimByMinIdAsync(stream, minId.ToString(), useApproximateMaxLength: false).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (trimmed > 0)
        {
            OperationsLog.Trimmed(_logger, stream, trimmed, minId.ToString());
        }

        return trimmed;
    }
}
