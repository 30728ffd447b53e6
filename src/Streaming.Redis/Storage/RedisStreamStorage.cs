using DynamoWriter.Diagnostics;
using DynamoWriter.Streaming.Redis.Streams;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Storage;

/// <summary>
/// What one provider shares with its adapter, receivers and acknowledger: the one multiplexer (created on
/// first use, again after a failed connect), options, metrics and logging. Keyed singleton under the provider name.
/// </summary>
internal sealed class RedisStreamStorage(
    string name,
    RedisStreamOptions options,
    IServiceProvider services,
    ILogger logger,
    DynamoWriterMetrics? metrics,
    WriterTotals? totals,
    TimeProvider time) : IAsyncDisposable
{
    private const string FromStart = "0";
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnectionMultiplexer? _multiplexer;
    private bool _owned;
    private bool _disposed;

    public string Name { get; } = name;
    public RedisStreamOptions Options { get; } = options;
    public ILogger Logger { get; } = logger;
    public DynamoWriterMetrics? Metrics { get; } = metrics;
    public WriterTotals? Totals { get; } = totals;
    public TimeProvider Time { get; } = time;

    public async ValueTask<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        return (await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
    }

    public async ValueTask<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _multiplexer) is { } ready)
        {
            return ready;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_multiplexer is null)
            {
                if (Options.CreateMultiplexer is { } factory)
                {
                    _multiplexer = await factory(services).WaitAsync(cancellationToken).ConfigureAwait(false);
                    _owned = false;
                }
                else
                {
                    var configuration = Options.ConfigurationOptions?.Clone()
                        ?? throw new InvalidOperationException($"Redis stream provider {Name}: no ConfigurationOptions");
                    configuration.ClientName ??= $"{Options.ConsumerPrefix}:{Name}";
                    _multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
                    _owned = true;
                }
            }

            return _multiplexer;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>
    /// Creates the group when it is missing (XGROUP CREATE ... MKSTREAM) at the durable checkpoint
    /// <see cref="RedisStreamOptions.GroupStartPosition"/> returns, or at 0. An existing group is left alone.
    /// </summary>
    public async Task EnsureGroupAsync(IDatabase db, string stream, CancellationToken cancellationToken)
    {
        if (await GroupExistsAsync(db, stream).ConfigureAwait(false))
        {
            return;
        }

        var start = FromStart;
        if (Options.GroupStartPosition is { } startPosition
            && await startPosition(stream, cancellationToken).ConfigureAwait(false) is { Length: > 0 } checkpoint)
        {
            start = checkpoint;
        }

        try
        {
            await db.StreamCreateConsumerGroupAsync(stream, Options.Group, start, createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            return; // another silo (or queue) created it first
        }

        if (start == FromStart)
        {
            Log.GroupCreated(Logger, stream, Options.Group, start);
        }
        else
        {
            Log.GroupRecreatedAtCheckpoint(Logger, stream, Options.Group, start);
        }
    }

    public async Task<bool> GroupExistsAsync(IDatabase db, string stream)
    {
        try
        {
            var groups = await db.StreamGroupInfoAsync(stream).ConfigureAwait(false);
            return groups.Any(g => string.Equals(g.Name, Options.Group, StringComparison.Ordinal));
        }
        catch (RedisServerException)
        {
            return false; // "no such key": the stream does not exist yet
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_owned && _multiplexer is not null)
            {
                await _multiplexer.DisposeAsync().ConfigureAwait(false);
            }

            _multiplexer = null;
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
