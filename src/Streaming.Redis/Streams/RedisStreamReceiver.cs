using System.Collections.Concurrent;
using DynamoWriter.Streaming.Redis.Storage;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using StackExchange.Redis;
using RedisEntry = StackExchange.Redis.StreamEntry;
using RedisPosition = StackExchange.Redis.StreamPosition;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>
/// Reads the Redis streams that map to one Orleans queue, as the group consumer named after the queue
/// (<c>{prefix}-q{n}</c>, the same on every silo). Per stream: this consumer's own pending list first (with
/// delivery counts), then new entries; every ClaimInterval, entries idle in any consumer's pending list.
/// Never acknowledges what it delivers: the consumer does, through <see cref="IRedisStreamAcknowledger"/>.
/// Entries it handed to Orleans and Orleans still holds (in its cache, or in a consumer's hands while it
/// retries) are kept from going idle before each claim pass, so XAUTOCLAIM neither delivers them twice
/// nor counts a delivery they never failed.
/// </summary>
internal sealed class RedisStreamReceiver : IQueueAdapterReceiver
{
    private const string NewEntries = ">";
    private const string FromStart = "0";
    private const string ClaimStart = "0-0";
    private const int PendingLookupMax = 20_000;

    private readonly RedisStreamStorage _storage;
    private readonly RedisStreamCatalog _catalog;
    private readonly IStreamQueueMapper _mapper;
    private readonly Action<RedisStreamReceiver>? _onShutdown;
    private readonly RedisStreamAcknowledger _acks;
    private readonly RedisStreamQueueCache? _cache;
    private readonly ConcurrentDictionary<string, StreamCursor> _cursors = new(StringComparer.Ordinal);
    private StreamCursor[] _order = [];
    private int _catalogVersion = -1;
    private long _sequence;
    private int _rotation;
    private long _lastClaim;
    private long _idleSince;
    private Task? _inFlight;
    private volatile bool _shutdown;

    public RedisStreamReceiver(RedisStreamStorage storage, RedisStreamCatalog catalog, IStreamQueueMapper mapper, QueueId queueId,
        Action<RedisStreamReceiver>? onShutdown = null, RedisStreamQueueCache? cache = null)
    {
        _cache = cache;
        _storage = storage;
        _catalog = catalog;
        _mapper = mapper;
        _onShutdown = onShutdown;
        _acks = new RedisStreamAcknowledger(storage);
        QueueId = queueId;
        Consumer = storage.Options.ConsumerFor(queueId.GetNumericId());
        _lastClaim = storage.Time.GetTimestamp();
    }

    public QueueId QueueId { get; }

    /// <summary>This queue's consumer name in the group.</summary>
    public string Consumer { get; }

    /// <summary>The streams this receiver reads now.</summary>
    public IReadOnlyList<string> Streams => [.. Volatile.Read(ref _order).Select(c => c.Key)];

    private RedisStreamOptions Options => _storage.Options;

    public Task Initialize(TimeSpan timeout) => Initialize(timeout, CancellationToken.None);

    public async Task Initialize(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            if (_catalog.HasPatterns)
            {
                await _catalog.RefreshAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException or TimeoutException)
        {
            Log.DiscoveryFailed(_storage.Logger, ex);
        }

        SyncStreams();
        try
        {
            var db = await _storage.GetDatabaseAsync(cts.Token).ConfigureAwait(false);
            await EnsureGroupsAsync(db, Volatile.Read(ref _order), cts.Token).ConfigureAwait(false);
            await RecordUnownedAsync(db).WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException or TimeoutException)
        {
            // Not fatal: groups not ready are created again before the first read of their stream.
            Log.ReadFailed(_storage.Logger, ex, QueueId.ToString(), 0);
        }

        Log.ReceiverStarted(_storage.Logger, QueueId.ToString(), Consumer, Options.Group, _cursors.Count);
    }

    /// <summary>
    /// How long this queue went unread before this receiver. The consumer is the queue, whichever silo reads
    /// it, so Redis' idle time of the consumer (XINFO CONSUMERS) is the time since its previous owner last read.
    /// A queue never read before has no consumer yet, and nothing is recorded.
    /// </summary>
    private async Task RecordUnownedAsync(IDatabase db)
    {
        if (_storage.Metrics is not { } metrics)
        {
            return;
        }

        var consumers = await Task.WhenAll(Volatile.Read(ref _order).Where(c => c.GroupReady)
            .Select(c => db.StreamConsumerInfoAsync(c.Key, Options.Group))).ConfigureAwait(false);
        var idle = consumers.SelectMany(c => c).Where(c => c.Name == Consumer).Select(c => (long?)c.IdleTimeInMilliseconds).Min();
        if (idle is { } ms)
        {
            metrics.QueueUnownedDuration.Record(ms / 1000.0, new KeyValuePair<string, object?>("queue", Consumer));
        }
    }

#pragma warning disable CS0618 // the legacy overloads are part of the interface
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);
#pragma warning restore CS0618

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (_shutdown || (_idleSince != 0 && _storage.Time.GetElapsedTime(_idleSince) < Options.PollInterval))
        {
            // An idle queue is polled every PollInterval, however often the pulling agent asks (see PullingPeriod).
            return [];
        }

        // Before the first hop off the agent's scheduler, where the cache lives.
        if (_cache is { } cache && !await cache.WaitForRoomAsync(maxCount, Release, Options.PollInterval, _storage.Time, cancellationToken).ConfigureAwait(true))
        {
            // Full, and no consumer moved on for a PollInterval: the agent asks again at its next tick.
            return [];
        }

        var read = ReadAsync(maxCount <= 0 ? int.MaxValue : maxCount, cancellationToken);
        _inFlight = read;
        try
        {
            var containers = await read.ConfigureAwait(false);
            _idleSince = containers.Count == 0 ? _storage.Time.GetTimestamp() : 0;
            return containers;
        }
        finally
        {
            _inFlight = null;
        }
    }

    /// <summary>
    /// Not an acknowledgement: Orleans calls this when its cache purges, not when the work is durable, and
    /// entries stay pending until the consumer acknowledges them. It only means Orleans holds these entries
    /// no longer: what is still pending now (a lost delivery) may be claimed again.
    /// </summary>
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        Release(messages);
        return Task.CompletedTask;
    }

    /// <summary>Purged from the cache, by the agent or by the wait for room before a read.</summary>
    private void Release(IList<IBatchContainer> messages)
    {
        foreach (var message in messages)
        {
            if (message is RedisStreamBatchContainer batch && _cursors.TryGetValue(batch.StreamId.GetKeyAsString(), out var cursor))
            {
                cursor.Release(batch.Entries);
            }
        }
    }

    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    public async Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _shutdown = true;
        try
        {
            if (_inFlight is { } read)
            {
                await read.WaitAsync(timeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            // The multiplexer belongs to the provider: nothing of this receiver's own to dispose.
            _onShutdown?.Invoke(this);
            Log.ReceiverStopped(_storage.Logger, QueueId.ToString(), Consumer);
        }
    }

    /// <summary>
    /// Orleans gave up delivering entries of <paramref name="stream"/>: they are still pending in this consumer's
    /// list. Re-read that list from the start soon instead of waiting for ClaimMinIdle.
    /// </summary>
    public void RequestPendingReread(string stream)
    {
        if (_cursors.TryGetValue(stream, out var cursor))
        {
            // Orleans' cache never reports a batch it gave up on as delivered: let go of what it held.
            cursor.ReleaseAll();
            Volatile.Write(ref cursor.RereadRequested, 1);
        }
    }

    /// <summary>Takes the catalog's streams that map to this queue (new ones start with a pending re-read).</summary>
    private void SyncStreams()
    {
        var version = _catalog.Version;
        if (version == _catalogVersion)
        {
            return;
        }

        _catalogVersion = version;
        foreach (var key in _catalog.Streams)
        {
            if (_cursors.ContainsKey(key))
            {
                continue;
            }

            var streamId = RedisStreamIds.For(key);
            if (_mapper.GetQueueForStream(streamId).Equals(QueueId))
            {
                _cursors[key] = new StreamCursor(key, streamId);
            }
        }

        Volatile.Write(ref _order, [.. _cursors.Values.OrderBy(c => c.Key, StringComparer.Ordinal)]);
    }

    private async Task<IList<IBatchContainer>> ReadAsync(int maxCount, CancellationToken cancellationToken)
    {
        _catalog.RefreshIfDue();
        SyncStreams();
        var all = Volatile.Read(ref _order);
        if (all.Length == 0)
        {
            return [];
        }

        IDatabase db;
        try
        {
            db = await _storage.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.ReadFailed(_storage.Logger, ex, QueueId.ToString(), (long)Options.PollInterval.TotalMilliseconds);
            return [];
        }

        if (_storage.Time.GetElapsedTime(_lastClaim) >= Options.ClaimInterval)
        {
            _lastClaim = _storage.Time.GetTimestamp();
            foreach (var cursor in all)
            {
                cursor.Claim ??= ClaimStart;
            }
        }

        // Fair over many streams: each turn starts one stream further and reads at most maxCount of them. Turns
        // go on until one finds entries or every stream had one, so one empty stream (the cache takes one
        // stream per read) does not make the whole queue look empty to the pulling agent.
        var results = new List<IBatchContainer>();
        try
        {
            for (var visited = 0; visited < all.Length && results.Count == 0;)
            {
                var start = (int)((uint)_rotation++ % (uint)all.Length);
                var size = Math.Min(maxCount, all.Length - visited);
                var turn = new List<StreamCursor>(size);
                for (var i = 0; i < size; i++)
                {
                    turn.Add(all[(start + i) % all.Length]);
                }

                visited += size;
                await ReadTurnAsync(db, turn, results, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what was read stays pending in Redis and is re-read by this queue's next owner.
        }

        return results;
    }

    private async Task ReadTurnAsync(IDatabase db, List<StreamCursor> turn, List<IBatchContainer> results, CancellationToken cancellationToken)
    {
        await EnsureGroupsAsync(db, turn, cancellationToken).ConfigureAwait(false);
        var reads = new List<StreamCursor>(turn.Count);
        foreach (var cursor in turn)
        {
            if (!cursor.GroupReady)
            {
                continue;
            }

            if (Interlocked.Exchange(ref cursor.RereadRequested, 0) == 1)
            {
                cursor.Pending = FromStart;
            }

            if (cursor.Claim is not null)
            {
                await ClaimPageAsync(db, cursor, results, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                reads.Add(cursor);
            }
        }

        if (reads.Count > 0)
        {
            await ReadGroupAsync(db, reads, results, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsureGroupsAsync(IDatabase db, IReadOnlyList<StreamCursor> cursors, CancellationToken cancellationToken)
    {
        foreach (var cursor in cursors)
        {
            if (cursor.GroupReady)
            {
                continue;
            }

            try
            {
                if (cursor.GroupSuspect && !await _storage.GroupExistsAsync(db, cursor.Key).ConfigureAwait(false))
                {
                    Log.GroupMissing(_storage.Logger, cursor.Key, Options.Group);
                }

                await _storage.EnsureGroupAsync(db, cursor.Key, cancellationToken).ConfigureAwait(false);
                cursor.GroupReady = true;
                cursor.GroupSuspect = false;
                cursor.Pending = FromStart;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.ReadFailed(_storage.Logger, ex, cursor.Key, (long)Options.PollInterval.TotalMilliseconds);
            }
        }
    }

    /// <summary>One XREADGROUP over the turn's streams: pending ones from their cursor, the others from <c>&gt;</c>.</summary>
    private async Task ReadGroupAsync(IDatabase db, List<StreamCursor> reads, List<IBatchContainer> results, CancellationToken cancellationToken)
    {
        RedisEntry[][] read;
        try
        {
            read = await ReadEntriesAsync(db, reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (IsNoGroup(ex))
        {
            // The group vanished (failover, FLUSHALL, someone deleted it): recreate it before the next read
            // and re-read our pending list, which is empty in a new group.
            foreach (var cursor in reads)
            {
                cursor.GroupReady = false;
                cursor.GroupSuspect = true;
            }

            return;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.ReadFailed(_storage.Logger, ex, string.Join(",", reads.Select(r => r.Key)), (long)Options.PollInterval.TotalMilliseconds);
            return;
        }

        for (var r = 0; r < reads.Count; r++)
        {
            var cursor = reads[r];
            var entries = read[r];
            var pending = cursor.Pending is not null;
            if (pending)
            {
                if (entries.Length == 0)
                {
                    cursor.Pending = null; // own pending list done: new entries from now on
                    cursor.Inherited = false;
                    continue;
                }

                if (cursor.Pending == FromStart)
                {
                    Log.PendingReread(_storage.Logger, cursor.Key, entries.Length);
                }

                if (cursor.Inherited)
                {
                    _storage.Metrics?.EntriesRedelivered.Add(entries.Length, StreamTag(cursor.Key));
                }

                cursor.Pending = (string)entries[^1].Id!;
            }
            else if (entries.Length == 0)
            {
                continue;
            }

            try
            {
                await AcceptAsync(db, cursor, entries, withDeliveryCounts: pending, claimed: false, results, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Entries are pending: the re-read (or a claim) delivers them.
                cursor.Pending = FromStart;
                cursor.Inherited = false; // counted at most once, not again on the re-read from the start
                Log.ReadFailed(_storage.Logger, ex, cursor.Key, (long)Options.PollInterval.TotalMilliseconds);
            }
        }
    }

    /// <summary>
    /// The entries of each of <paramref name="reads"/>, in its order. A single stream is read with the
    /// single-stream call: StackExchange.Redis parses a multi-stream reply (a RESP3 map of streams) by walking
    /// every entry once more to step over it, a few percent of the Redis side's CPU in a perf profile.
    /// </summary>
    private async Task<RedisEntry[][]> ReadEntriesAsync(IDatabase db, List<StreamCursor> reads)
    {
        if (reads.Count == 1)
        {
            return [await db.StreamReadGroupAsync(reads[0].Key, Options.Group, Consumer, PositionOf(reads[0]), Options.ReadCount).ConfigureAwait(false)];
        }

        var positions = reads.ConvertAll(cursor => new RedisPosition(cursor.Key, PositionOf(cursor)));
        var streams = await db.StreamReadGroupAsync([.. positions], Options.Group, Consumer, Options.ReadCount).ConfigureAwait(false);
        var byKey = new Dictionary<string, RedisEntry[]>(streams.Length, StringComparer.Ordinal);
        foreach (var s in streams)
        {
            byKey[(string)s.Key!] = s.Entries;
        }

        return [.. reads.Select(cursor => byKey.GetValueOrDefault(cursor.Key) ?? [])];
    }

    /// <summary>Where a cursor reads from: its pending list from its position, otherwise new entries.</summary>
    private static string PositionOf(StreamCursor cursor) => cursor.Pending ?? NewEntries;

    /// <summary>One XAUTOCLAIM page: entries idle past ClaimMinIdle in any consumer's pending list become ours.</summary>
    private async Task ClaimPageAsync(IDatabase db, StreamCursor cursor, List<IBatchContainer> results, CancellationToken cancellationToken)
    {
        try
        {
            if (cursor.Claim == ClaimStart && cursor.HeldIds() is { Count: > 0 } held)
            {
                // Still in Orleans' hands: reset their idle time (JUSTID does not count a delivery).
                await _acks.KeepAsync(cursor.Key, Consumer, [.. held], cancellationToken).ConfigureAwait(false);
            }

            var result = await db.StreamAutoClaimAsync(cursor.Key, Options.Group, Consumer, (long)Options.ClaimMinIdle.TotalMilliseconds,
                cursor.Claim, Options.ReadCount).WaitAsync(cancellationToken).ConfigureAwait(false);
            var next = result.NextStartId.IsNullOrEmpty ? ClaimStart : (string)result.NextStartId!;
            cursor.Claim = next == ClaimStart ? null : next;
            if (result.DeletedIds is { Length: > 0 } deleted)
            {
                await AcknowledgeDeletedAsync(cursor.Key, [.. deleted.Select(id => (string)id!)], cancellationToken).ConfigureAwait(false);
            }

            // One read by Orleans between the keep and the claim could still be taken: it is in the cache already.
            if (result.ClaimedEntries is { Length: > 0 } page && cursor.HeldIds() is var stillHeld
                && page.Where(e => !stillHeld.Contains((string)e.Id!)).ToArray() is { Length: > 0 } claimed)
            {
                _storage.Metrics?.EntriesClaimed.Add(claimed.Length, StreamTag(cursor.Key));
                Log.Claimed(_storage.Logger, cursor.Key, claimed.Length);
                await AcceptAsync(db, cursor, claimed, withDeliveryCounts: true, claimed: true, results, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RedisServerException ex) when (IsNoGroup(ex))
        {
            cursor.Claim = null;
            cursor.GroupReady = false;
            cursor.GroupSuspect = true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            cursor.Claim = null; // again at the next ClaimInterval
            Log.ClaimFailed(_storage.Logger, ex, cursor.Key);
        }
    }

    /// <summary>
    /// Turns one stream's read into one batch container. Entries deleted from the stream while pending
    /// (no fields) are acknowledged and not delivered.
    /// </summary>
    private async Task AcceptAsync(IDatabase db, StreamCursor cursor, RedisEntry[] entries, bool withDeliveryCounts, bool claimed,
        List<IBatchContainer> results, CancellationToken cancellationToken)
    {
        var tag = StreamTag(cursor.Key);
        _storage.Metrics?.EntriesRead.Add(entries.Length, tag);
        _storage.Totals?.AddRead(entries.Length);
        var counts = withDeliveryCounts ? await DeliveryCountsAsync(db, cursor.Key, entries, cancellationToken).ConfigureAwait(false) : null;
        var batch = new List<StreamEntry>(entries.Length);
        List<string>? deleted = null;
        foreach (var entry in entries)
        {
            var id = (string)entry.Id!;
            var values = entry.Values;
            if (values is null || values.Length == 0)
            {
                (deleted ??= []).Add(id);
                continue;
            }

            var fields = new StreamField[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                fields[i] = new StreamField(cursor.FieldNames.At(i, values[i].Name), (string?)values[i].Value ?? "");
            }

            var deliveries = counts is not null && counts.TryGetValue(id, out var n) ? n : 1;
            batch.Add(new StreamEntry(cursor.Key, id, fields, deliveries, claimed));
        }

        if (deleted is not null)
        {
            await AcknowledgeDeletedAsync(cursor.Key, deleted, cancellationToken).ConfigureAwait(false);
        }

        if (batch.Count > 0)
        {
            cursor.Hold(batch);
            results.Add(new RedisStreamBatchContainer(cursor.StreamId, new EventSequenceTokenV2(_sequence++), batch, Consumer));
        }
    }

    /// <summary>Entries deleted from the stream while pending: nothing to write, only the pending entry to clear.</summary>
    private Task AcknowledgeDeletedAsync(string stream, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        _storage.Metrics?.EntriesDeleted.Add(ids.Count, StreamTag(stream));
        return _acks.AcknowledgeAsync(stream, ids, cancellationToken);
    }

    /// <summary>Delivery counts of re-read or claimed entries (XPENDING), so over-delivered entries can be dead-lettered.</summary>
    private async Task<Dictionary<string, long>> DeliveryCountsAsync(IDatabase db, string stream, RedisEntry[] entries, CancellationToken cancellationToken)
    {
        // Our own in-flight entries can sit inside the same ID range, so ask for more than we hold.
        var infos = await db.StreamPendingMessagesAsync(stream, Options.Group, Math.Min(PendingLookupMax, entries.Length * 4), Consumer,
            entries[0].Id, entries[^1].Id).WaitAsync(cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(infos.Length, StringComparer.Ordinal);
        foreach (var info in infos)
        {
            counts[(string)info.MessageId!] = info.DeliveryCount;
        }

        return counts;
    }

    private static bool IsNoGroup(RedisServerException ex) => ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal);

    private static KeyValuePair<string, object?> StreamTag(string stream) => new("stream", stream);

    /// <summary>Where this queue is in one stream.</summary>
    private sealed class StreamCursor(string key, StreamId streamId)
    {
        public string Key { get; } = key;
        public StreamId StreamId { get; } = streamId;
        public bool GroupReady { get; set; }

        /// <summary>A read said NOGROUP: check, log and recreate before reading again.</summary>
        public bool GroupSuspect { get; set; }

        /// <summary>Where the re-read of this consumer's pending list is; null once it is done (then <c>&gt;</c>).</summary>
        public string? Pending { get; set; } = FromStart;

        /// <summary>
        /// Until the first re-read of the pending list is done: what it finds was delivered before this
        /// receiver started, to the queue's previous owner.
        /// </summary>
        public bool Inherited { get; set; } = true;

        /// <summary>The XAUTOCLAIM cursor while a claim pass is under way; null otherwise.</summary>
        public string? Claim { get; set; }

        public int RereadRequested;

        /// <summary>The last entry's field names: reads of one stream are accepted one at a time, by this queue's pulling agent.</summary>
        public FieldNames FieldNames { get; } = new();

        /// <summary>
        /// Reads delivered to Orleans that its cache has not let go of yet, by reference (the cache hands back the
        /// containers it was given): a set of their IDs cost two string hashes per entry on every read, for a
        /// claim pass every ClaimInterval.
        /// </summary>
        private readonly HashSet<IReadOnlyList<StreamEntry>> _held = new(ReferenceEqualityComparer.Instance);

        public void Hold(IReadOnlyList<StreamEntry> read)
        {
            lock (_held)
            {
                _held.Add(read);
            }
        }

        public void Release(IReadOnlyList<StreamEntry> read)
        {
            lock (_held)
            {
                _held.Remove(read);
            }
        }

        public void ReleaseAll()
        {
            lock (_held)
            {
                _held.Clear();
            }
        }

        /// <summary>The IDs of the held reads.</summary>
        public HashSet<string> HeldIds()
        {
            lock (_held)
            {
                var ids = new HashSet<string>(StringComparer.Ordinal);
                foreach (var read in _held)
                {
                    foreach (var entry in read)
                    {
                        ids.Add(entry.Id);
                    }
                }

                return ids;
            }
        }
    }
}
