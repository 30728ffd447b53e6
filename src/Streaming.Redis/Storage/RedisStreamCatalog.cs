using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Storage;

/// <summary>Which Redis streams a provider consumes now, and which of its queues this silo reads. Keyed singleton under the provider name.</summary>
public interface IRedisStreamCatalog
{
    /// <summary>The stream keys consumed now: the listed ones and those discovered by pattern, in ordinal order.</summary>
    IReadOnlyList<string> Streams { get; }

    /// <summary>Matches the patterns against existing keys now (otherwise done every DiscoverInterval).</summary>
    Task RefreshAsync(CancellationToken cancellationToken);

    /// <summary>The queues this silo reads now, by their consumer names (<c>{prefix}-q{n}</c>), in ordinal order.</summary>
    IReadOnlyList<string> Queues { get; }
}

/// <summary>
/// One catalog per provider, shared by every receiver: the literal keys (minus any that is the dead-letter
/// stream of another listed key) plus keys matching a pattern (SCAN MATCH pattern TYPE stream), dead-letter
/// streams never included. Discovery runs when a receiver asks and <c>DiscoverInterval</c> has passed.
/// </summary>
internal sealed class RedisStreamCatalog : IRedisStreamCatalog
{
    private const int ScanPageSize = 1000;
    private readonly RedisStreamStorage _storage;
    private readonly string[] _patterns;
    private readonly SortedSet<string> _streams = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _queues = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _snapshot;
    private long _lastRefresh = long.MinValue;
    private int _refreshing;
    private int _version;

    public IReadOnlyList<string> Queues => [.. _queues.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A receiver of this silo started (or stopped) reading the queue of <paramref name="consumer"/>.</summary>
    internal void QueueStarted(string consumer) => _queues[consumer] = 0;

    internal void QueueStopped(string consumer) => _queues.TryRemove(consumer, out _);

    public RedisStreamCatalog(RedisStreamStorage storage)
    {
        _storage = storage;
        var options = storage.Options;
        var literal = options.Streams.Where(s => !StreamKeys.IsPattern(s)).Distinct(StringComparer.Ordinal).ToList();
        // A dead-letter stream is never a source, even when listed: its entries would be written (or
        // dead-lettered again) as if they were new.
        var deadLetters = literal.Select(options.DeadLetterStreamFor).ToHashSet(StringComparer.Ordinal);
        foreach (var skipped in literal.Where(deadLetters.Contains).ToList())
        {
            Log.DeadLetterStreamNotConsumed(storage.Logger, skipped);
            literal.Remove(skipped);
        }

        _streams.UnionWith(literal);
        _patterns = [.. options.Streams.Where(StreamKeys.IsPattern).Distinct(StringComparer.Ordinal)];
        _snapshot = [.. _streams];
    }

    public IReadOnlyList<string> Streams => Volatile.Read(ref _snapshot);

    /// <summary>Changes each time a stream is added, so receivers know when to look again.</summary>
    public int Version => Volatile.Read(ref _version);

    public bool HasPatterns => _patterns.Length > 0;

    /// <summary>Starts a discovery in the background when one is due; never throws.</summary>
    public void RefreshIfDue()
    {
        if (!HasPatterns || !IsDue() || Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.DiscoveryFailed(_storage.Logger, ex);
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        });
    }

    private bool IsDue()
    {
        var last = Interlocked.Read(ref _lastRefresh);
        return last == long.MinValue || _storage.Time.GetElapsedTime(last) >= _storage.Options.DiscoverInterval;
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!HasPatterns)
        {
            return;
        }

        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Due again one interval from now even when this one fails: a broken Redis is not scanned in a loop.
            Interlocked.Exchange(ref _lastRefresh, _storage.Time.GetTimestamp());
            var multiplexer = await _storage.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
            var database = multiplexer.GetDatabase().Database;
            foreach (var pattern in _patterns)
            {
                foreach (var server in multiplexer.GetServers())
                {
                    if (server.IsReplica || !server.IsConnected)
                    {
                        continue;
                    }

                    await foreach (var key in ScanStreamsAsync(server, database, pattern, cancellationToken).ConfigureAwait(false))
                    {
                        Add(key, pattern);
                    }
                }
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private void Add(string key, string pattern)
    {
        if (StreamKeys.IsDeadLetter(key, _storage.Options.DeadLetterStream))
        {
            return;
        }

        lock (_streams)
        {
            if (!_streams.Add(key))
            {
                return;
            }

            Volatile.Write(ref _snapshot, [.. _streams]);
            Interlocked.Increment(ref _version);
        }

        Log.StreamDiscovered(_storage.Logger, key, pattern);
    }

    /// <summary>SCAN cursor MATCH pattern COUNT n TYPE stream, to the end (SE.Redis' KeysAsync has no TYPE filter).</summary>
    private static async IAsyncEnumerable<string> ScanStreamsAsync(IServer server, int database, string pattern,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = "0";
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reply = await server.ExecuteAsync(database, "SCAN",
                [cursor, "MATCH", pattern, "COUNT", ScanPageSize.ToString(CultureInfo.InvariantCulture), "TYPE", "stream"]).ConfigureAwait(false);
            var parts = (RedisResult[])reply!;
            cursor = (string)parts[0]!;
            foreach (var key in (RedisResult[])parts[1]!)
            {
                if ((string?)key is { } name)
                {
                    yield return name;
                }
            }
        }
        while (cursor != "0");
    }
}
