using DynamoWriter.Redis.Connection;
using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis;

/// <summary>
/// A RESP2 client over one TCP (or TLS) connection. Commands are pipelined: any number of callers may
/// await commands at once and replies are matched to commands first-in, first-out. Thread-safe.
/// </summary>
/// <remarks>
/// The connection opens on first use. When it drops, every command in flight fails with
/// <see cref="RedisConnectionException"/> (its outcome is unknown) and the next command reconnects,
/// re-running AUTH, SELECT and CLIENT SETNAME; failed attempts are spaced by a jittered exponential backoff.
/// Blocking commands (XREADGROUP BLOCK) hold the connection, so give each blocking reader its own client.
/// </remarks>
public sealed partial class RedisClient : IAsyncDisposable
{
    private readonly RedisClientOptions _options;
    private readonly Action<string>? _log;

    /// <param name="options">Where and how to connect. The client keeps a reference; do not change it afterwards.</param>
    /// <param name="log">Receives connection events (connects, drops, failed attempts). Never receives secrets.</param>
    public RedisClient(RedisClientOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = options.ParseAddress();
        _options = options;
        _log = log;
    }

    public RedisClientOptions Options => _options;

    /// <summary>Sends a raw command, e.g. <c>["HSET", key, field, value]</c>.</summary>
    /// <exception cref="RedisServerException">The server answered with an error.</exception>
    /// <exception cref="RedisConnectionException">
    /// No connection, it dropped before the reply arrived, or no reply came within <see cref="RedisClientOptions.CommandTimeout"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException">The caller stopped waiting; the reply is still read and discarded.</exception>
    public async Task<RespValue> ExecuteAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        ThrowIfError(await SendAsync(args, block: null, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Runs <paramref name="commands"/> in MULTI/EXEC, written contiguously so no other caller's command can
    /// interleave, and returns EXEC's replies (an element may be an error reply: Redis does not roll back).
    /// </summary>
    /// <exception cref="RedisServerException">A command was rejected while queuing (EXECABORT) or EXEC returned null.</exception>
    public async Task<IReadOnlyList<RespValue>> ExecuteTransactionAsync(IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var batch = new List<IReadOnlyList<string>>(commands.Count + 2) { new[] { "MULTI" } };
        batch.AddRange(commands);
        batch.Add(["EXEC"]);

        var replies = await SendBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        var exec = replies[^1];
        if (exec.IsError)
        {
            // EXECABORT names no culprit; the queuing error that caused it is more useful to the caller.
            var cause = replies.Skip(1).Take(commands.Count).FirstOrDefault(r => r.IsError);
            throw new RedisServerException(exec.AsString()!, cause is null ? null : new RedisServerException(cause.AsString()!));
        }

        ThrowIfError(replies[0]);
        return exec.IsNull
            ? throw new RedisServerException("EXECABORT Transaction discarded: EXEC returned null.")
            : exec.Items;
    }

    /// <summary>Sends several commands back to back in one write and returns their replies, error replies included.</summary>
    /// <exception cref="RedisConnectionException">
    /// No connection, it dropped before every reply arrived, or they did not all come within <see cref="RedisClientOptions.CommandTimeout"/>.
    /// </exception>
    public async Task<IReadOnlyList<RespValue>> ExecuteBatchAsync(IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return commands.Count == 0 ? [] : await SendBatchAsync(commands, cancellationToken).ConfigureAwait(false);
    }

    public async Task PingAsync(CancellationToken ct = default) =>
        await ExecuteAsync(["PING"], ct).ConfigureAwait(false);

    /// <summary>Closes the connection; commands in flight fail with <see cref="RedisConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        PhysicalConnection? connection;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connection = _connection;
            _connection = null;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _disposing.Dispose();
    }

    // A server that accepts and at once drops every connection must not make a caller spin.
    private static void ThrowIfGaveUp(int attempt)
    {
        if (attempt >= 3)
        {
            throw new RedisConnectionException("The connection closed before the command could be sent (3 attempts).");
        }
    }

    private static RespValue ThrowIfError(RespValue reply) =>
        reply.IsError ? throw new RedisServerException(reply.AsString()!) : reply;

    /// <param name="block">The BLOCK time of a blocking command (cancelling it closes the connection), null for any other.</param>
    private Task<RespValue> SendAsync(IReadOnlyList<string> args, TimeSpan? block, CancellationToken cancellationToken) =>
        SendAsync(args, block, RespValueParser.Instance, cancellationToken);

    /// <param name="block">The BLOCK time of a blocking command (cancelling it closes the connection), null for any other.</param>
    /// <param name="parser">Builds the result on the read loop; what it throws (an error reply, for the typed parsers) is thrown here.</param>
    private async Task<T> SendAsync<T>(IReadOnlyList<string> args, TimeSpan? block, IReplyParser<T> parser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        cancellationToken.ThrowIfCancellationRequested();
        var timeout = _options.ReplyTimeout(block);
        for (var attempt = 1; ; attempt++)
        {
            var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            var reply = connection.Send(args, parser);
            if (reply is null)
            {
                // It failed between our check and the send; nothing was written, so a new connection may carry it.
                ThrowIfGaveUp(attempt);
                continue;
            }

            if (timeout is null && !cancellationToken.CanBeCanceled)
            {
                return await reply.ConfigureAwait(false);
            }

            try
            {
                return await reply.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (block is not null && cancellationToken.IsCancellationRequested)
            {
                // The server would hold the connection until the block expires; closing it frees it now.
                connection.Abort("a blocking command was cancelled");
                throw;
            }
            catch (TimeoutException ex)
            {
                throw TimedOut(connection, args[0], timeout!.Value, ex);
            }
        }
    }

    private async Task<RespValue[]> SendBatchAsync(IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var timeout = _options.ReplyTimeout(block: null);
        for (var attempt = 1; ; attempt++)
        {
            var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            var replies = connection.Send(commands);
            if (replies is null)
            {
                ThrowIfGaveUp(attempt);
                continue;
            }

            var all = Task.WhenAll(replies);
            if (timeout is null && !cancellationToken.CanBeCanceled)
            {
                return await all.ConfigureAwait(false);
            }

            try
            {
                return await all.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw TimedOut(connection, commands.Count == 1 ? commands[0][0] : $"a batch of {commands.Count} commands", timeout!.Value, ex);
            }
        }
    }

    // A reply that never came means every later reply on this connection would go to the wrong caller:
    // close it (failing whatever else is in flight) so the next command starts on a fresh one.
    private static RedisConnectionException TimedOut(PhysicalConnection connection, string command, TimeSpan timeout, TimeoutException inner)
    {
        var state = connection.DescribeState();
        connection.Abort($"no reply to {command} within {timeout.TotalSeconds:0.###} s", inner);
        return new RedisConnectionException(
            $"No reply to {command} within {timeout.TotalSeconds:0.###} s (RedisClientOptions.CommandTimeout); the connection was closed and the next command reconnects. At the timeout: {state}.",
            inner);
    }
}
