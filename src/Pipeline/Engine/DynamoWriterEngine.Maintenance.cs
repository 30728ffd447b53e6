using System.Globalization;
using System.Reflection;
using DynamoWriter.Pipeline.Nodes;
using DynamoWriter.Redis;

namespace DynamoWriter.Pipeline.Engine;

/// <summary>
/// Housekeeping that keeps a many-node group healthy: heartbeats, removal of long-idle consumers that
/// own nothing, and optional trimming of what every group has durably persisted.
/// </summary>
public sealed partial class DynamoWriterEngine
{
    private static readonly TimeSpan HeartbeatTtl = NodeHeartbeat.DefaultInterval * 3;
    private static readonly string Version =
        typeof(DynamoWriterEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

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

    private async Task HeartbeatLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(NodeHeartbeat.DefaultInterval, _time);
        try
        {
            do
            {
                if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
                {
                    Log.Progress(_logger, _totals.Read, _totals.Written, _totals.Acknowledged, DescribePartitions());
                }

                try
                {
                    await _commands!.SetAsync(NodeHeartbeat.KeyFor(_options.Stream.Group, Consumer), Heartbeat().ToJson(), HeartbeatTtl, stopping).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.HeartbeatFailed(_logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private NodeHeartbeat Heartbeat() => new(
        Consumer, _options.Stream.Group, Version, Environment.MachineName, Environment.ProcessId, _startedAt, _time.GetUtcNow(),
        Streams, _totals.Read, _totals.Written, _totals.Skipped, _totals.DeadLettered, _totals.Acknowledged);

    /// <summary>A node that stops cleanly says so at once instead of letting its heartbeat expire.</summary>
    private async Task RemoveHeartbeatAsync()
    {
        if (_commands is null)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _commands.DelAsync([NodeHeartbeat.KeyFor(_options.Stream.Group, Consumer)], cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.HeartbeatFailed(_logger, ex);
        }
    }

    private async Task MaintenanceLoopAsync(CancellationToken stopping)
    {
        var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, Math.Min(_options.Stream.DiscoverInterval.Ticks, TimeSpan.FromMinutes(1).Ticks)));
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                foreach (var stream in Streams)
                {
                    try
                    {
                        await ExpireIdleConsumersAsync(stream, stopping).ConfigureAwait(false);
                        if (_options.Stream.TrimPersisted)
                        {
                            await TrimPersistedAsync(stream, stopping).ConfigureAwait(false);
                        }
                    }
                    catch (RedisServerException ex) when (ex.ErrorCode == "NOGROUP")
                    {
                        // A stream discovered a moment ago whose partition has not created the group yet, or a
                        // group being recreated: nothing to expire or trim until it exists.
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        Log.MaintenanceFailed(_logger, ex, stream);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    internal async Task<long> ExpireIdleConsumersAsync(string stream, CancellationToken cancellationToken)
    {
        var expiry = _options.Stream.ConsumerExpiry;
        if (expiry <= TimeSpan.Zero)
        {
            return 0; // 0 turns expiry off
        }

        var reply = await _commands!.EvalAsync(ExpireConsumersScript, [stream],
            [_options.Stream.Group, ((long)expiry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), Consumer], cancellationToken).ConfigureAwait(false);
        var removed = reply.AsInt64();
        if (removed > 0)
        {
            Log.ConsumersExpired(_logger, stream, removed);
        }

        return removed;
    }

    /// <summary>
    /// XTRIM MINID to the lowest durable checkpoint of every group on the stream; a group without a
    /// checkpoint (not ours, or not yet written) means nothing is trimmed, since we cannot know what it still needs.
    /// </summary>
    internal async Task<long> TrimPersistedAsync(string stream, CancellationToken cancellationToken)
    {
        var store = _context!.Checkpoints!;
        StreamEntryId? lowest = null;
        foreach (var group in await _commands!.XInfoGroupsAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            var checkpoint = await store.GetAsync(group.Name, stream, cancellationToken).ConfigureAwait(false);
            if (checkpoint is null)
            {
                return 0;
            }

            lowest = lowest is null || checkpoint.Id < lowest ? checkpoint.Id : lowest;
        }

        if (lowest is not { } minId || minId == StreamEntryId.Zero)
        {
            return 0;
        }

        var trimmed = await _commands.XTrimMinIdAsync(stream, minId.ToString(), approximate: false, cancellationToken).ConfigureAwait(false);
        if (trimmed > 0)
        {
            Log.Trimmed(_logger, stream, trimmed, minId.ToString());
        }

        return trimmed;
    }
}
