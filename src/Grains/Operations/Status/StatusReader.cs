using Amazon.DynamoDBv2;
using DynamoWriter.Grains.Operations.Checkpoints;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Options;
using DynamoWriter.Status;
using DynamoWriter.Streaming.Redis.Streams;
using Orleans.Streams;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations.Status;

/// <summary>
/// Gathers a <see cref="StatusReport"/> for the configured group: the per-stream numbers of
/// <see cref="StreamStatusReader"/>, each stream's checkpoint (the writer grain's state, read by
/// <see cref="CheckpointReader"/>; a missing table or item is null, not an error) and the nodes whose
/// heartbeat keys (<see cref="NodeHeartbeat"/>) are alive; each stream's Orleans queue and the node that reads
/// it; and the cluster's silos (<see cref="ClusterMembership"/>).
/// </summary>
public sealed class StatusReader
{
    private readonly DynamoWriterRedis _redis;
    private readonly DynamoWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly StreamStatusReader _streams;
    private readonly CheckpointReader _checkpoints;
    private readonly HashRingBasedStreamQueueMapper _queues;
    private readonly RedisStreamOptions _consumers;

    public StatusReader(DynamoWriterRedis redis, IAmazonDynamoDB dynamo, DynamoWriterOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _redis = redis;
        _options = options;
        _time = time;
        _streams = new StreamStatusReader(redis, options.Stream, time);
        _checkpoints = new CheckpointReader(dynamo, options.Checkpoint.TableName);
        // The provider's own mapping and consumer names: a stream's queue is a pure function of its key.
        _queues = RedisStreamIds.QueueMapper(options.Orleans.Queues, StreamNamespaces.ProviderName);
        _consumers = new RedisStreamOptions { ConsumerPrefix = options.Orleans.ServiceId };
    }

    public async Task<StatusReport> ReadAsync(CancellationToken ct)
    {
        var group = _options.Stream.Group;
        var nodes = await ReadNodesAsync(group, ct).ConfigureAwait(false);
        var streams = new List<StreamStatus>();
        foreach (var stream in await _streams.ResolveStreamsAsync(ct).ConfigureAwait(false))
        {
            var redis = await _streams.ReadAsync(stream, ct).ConfigureAwait(false);
            var queue = QueueOf(stream);
            var checkpoint = await _checkpoints.GetAsync(group, stream, ct).ConfigureAwait(false);
            streams.Add(new StreamStatus(stream, redis.Exists, redis.Length, redis.GroupExists, redis.Lag, redis.Pending, redis.OldestPendingAgeSeconds,
                new DeadLetterStatus(redis.DeadLetterStream, redis.DeadLetterLength),
                checkpoint is not null && StreamEntryId.TryParse(checkpoint.Position, out var position)
                    ? new CheckpointStatus(position.ToString(), checkpoint.Written, checkpoint.Skipped, checkpoint.DeadLettered, checkpoint.UpdatedAt, checkpoint.UpdatedBy)
                    {
                        Deleted = checkpoint.Deleted,
                    }
                    : null)
            {
                Queue = queue,
                Owner = nodes.FirstOrDefault(n => n.Queues.Contains(queue, StringComparer.Ordinal))?.Name,
            });
        }

        var db = await _redis.GetDatabaseAsync(ct).ConfigureAwait(false);
        return new StatusReport(group, _time.GetUtcNow(), streams, nodes)
        {
            Silos = await ClusterMembership.ReadAsync(db, _options.Orleans, ct).ConfigureAwait(false),
        };
    }

    /// <summary>Nodes of <paramref name="group"/> with a live heartbeat key, by name.</summary>
    public async Task<IReadOnlyList<NodeStatus>> ReadNodesAsync(string group, CancellationToken ct)
    {
        var db = await _redis.GetDatabaseAsync(ct).ConfigureAwait(false);
        var keys = new List<string>();
        await foreach (var key in RedisKeys.ScanAsync(db, NodeHeartbeat.PatternFor(group), null, ct).ConfigureAwait(false))
        {
            keys.Add(key);
        }

        var now = _time.GetUtcNow();
        var nodes = new List<NodeStatus>(keys.Count);
        foreach (var key in keys)
        {
            string? json;
            try
            {
                json = await db.StringGetAsync(key).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (RedisServerException)
            {
                continue; // WRONGTYPE: not a heartbeat
            }

            // Expired between SCAN and GET, unreadable, or a node of a group whose name merely starts like ours.
            if (NodeHeartbeat.FromJson(json) is not { } beat || !string.Equals(beat.Group, group, StringComparison.Ordinal))
            {
                continue;
            }

            nodes.Add(new NodeStatus(beat.Name, beat.Host, beat.ProcessId, beat.Version, beat.StartedAt, beat.UpdatedAt,
                Math.Max(0, (now - beat.UpdatedAt).TotalSeconds), beat.Streams,
                new NodeCounts(beat.Read, beat.Written, beat.Skipped, beat.DeadLettered, beat.Acknowledged) { Deleted = beat.Deleted })
            {
                Queues = beat.Queues,
            });
        }

        nodes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return nodes;
    }

    /// <summary>The consumer name of the queue <paramref name="stream"/> maps to.</summary>
    private string QueueOf(string stream) =>
        _consumers.ConsumerFor(_queues.GetQueueForStream(RedisStreamIds.For(stream)).GetNumericId());
}
