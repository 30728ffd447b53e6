using DynamoWriter.Redis.Connection;
using DynamoWriter.Resilience;

namespace DynamoWriter.Redis;

public sealed partial class RedisClient
{
    private readonly Lock _sync = new();
    private readonly CancellationTokenSource _disposing = new();
    private PhysicalConnection? _connection;

    // Every caller that finds no live connection awaits this one attempt, so a burst of commands against
    // a down server makes one connection attempt, not one each.
    private Task<PhysicalConnection>? _connecting;
    private int _failedAttempts;
    private long _lastFailureTimestamp;
    private bool _disposed;

    /// <summary>True while a connection is open (it may still turn out to be dead on the next command).</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is { IsAlive: true };

    /// <summary>Failed connection attempts since the last successful one.</summary>
    public int FailedConnectAttempts => Volatile.Read(ref _failedAttempts);

    private ValueTask<PhysicalConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = Volatile.Read(ref _connection);
        return connection is { IsAlive: true }
            ? ValueTask.FromResult(connection)
            : new ValueTask<PhysicalConnection>(GetConnectionSlowAsync(cancellationToken));
    }

    private Task<PhysicalConnection> GetConnectionSlowAsync(CancellationToken cancellationToken)
    {
        Task<PhysicalConnection> attempt;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsAlive: true } live)
            {
                return Task.FromResult(live);
            }

            if (_connecting is null || _connecting.IsCompleted)
            {
                _connecting = ConnectAsync();
            }

            attempt = _connecting;
        }

        // The attempt is shared, so a caller's token only ends that caller's wait.
        return attempt.WaitAsync(cancellationToken);
    }

    private async Task<PhysicalConnection> ConnectAsync()
    {
        // Leave the lock the caller holds before doing anything that could complete synchronously.
        await Task.Yield();
        var token = _disposing.Token;
        int failed;
        long lastFailure;
        lock (_sync)
        {
            failed = _failedAttempts;
            lastFailure = _lastFailureTimestamp;
        }

        try
        {
            if (failed > 0)
            {
                var wait = Backoff.FullJitter(failed - 1, _options.ReconnectBackoffMax) - TimeProvider.System.GetElapsedTime(lastFailure);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, token).ConfigureAwait(false);
                }
            }

            var connection = await PhysicalConnection.ConnectAsync(_options, _log, token).ConfigureAwait(false);
            lock (_sync)
            {
                if (_disposed)
                {
                    connection.Abort("the client was disposed");
                    throw new ObjectDisposedException(nameof(RedisClient));
                }

                _connection = connection;
                _failedAttempts = 0;
            }

            return connection;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(RedisClient));
        }
        catch (RedisConnectionException ex)
        {
            lock (_sync)
            {
                _failedAttempts++;
                _lastFailureTimestamp = TimeProvider.System.GetTimestamp();
            }

            _log?.Invoke($"redis: connection attempt {FailedConnectAttempts} failed: {ex.Message}");
            throw;
        }
    }
}
