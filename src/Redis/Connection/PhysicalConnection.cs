using System.Collections.Concurrent;
using System.Net.Sockets;
using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis.Connection;

/// <summary>
/// One socket to the server with its pipeline: commands are written in the order they are queued and
/// replies are matched to them first-in, first-out. A connection is never reused after it fails;
/// <see cref="RedisClient"/> opens a new one.
/// </summary>
internal sealed partial class PhysicalConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly Action<string>? _log;
    private readonly string _endpoint;

    // Guards _failure, the output buffer and the order of _pending: a command is queued in the same
    // critical section that encodes it, so the queue order is the wire order.
    private readonly Lock _sync = new();
    private readonly ConcurrentQueue<IPendingReply> _pending = new();
    private Exception? _failure;

    private PhysicalConnection(Socket socket, Stream stream, string endpoint, Action<string>? log)
    {
        _socket = socket;
        _stream = stream;
        _endpoint = endpoint;
        _log = log;
        _output = new RespWriter();
        _flushing = new RespWriter();
        _reader = new RespReader();
    }

    public bool IsAlive => Volatile.Read(ref _failure) is null;

    /// <summary>Commands sent whose replies have not arrived.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>What the connection was doing, for the message of a command that got no reply.</summary>
    public string DescribeState()
    {
        var last = Volatile.Read(ref _lastReceiveTimestamp);
        var silence = last == 0 ? "nothing received yet" : $"last bytes received {TimeProvider.System.GetElapsedTime(last).TotalSeconds:0.0} s ago";
        return $"{_pending.Count} command(s) awaiting replies on {_endpoint}, {Volatile.Read(ref _bytesReceived)} bytes received, "
            + $"{silence}, {Volatile.Read(ref _bufferedBytes)} bytes of an incomplete reply buffered";
    }

    /// <summary>Closes the socket; every pending command fails with <see cref="RedisConnectionException"/>.</summary>
    /// <param name="reason">Completes "Connection to host:port closed: ...".</param>
    /// <param name="cause">Given to every failed command as the inner exception (a <see cref="TimeoutException"/> after a timeout).</param>
    public void Abort(string reason, Exception? cause = null) => Fail(new RedisConnectionException($"Connection to {_endpoint} closed: {reason}.", cause));

    public ValueTask DisposeAsync()
    {
        Abort("the client was disposed");
        return ValueTask.CompletedTask;
    }

    private void Fail(Exception cause)
    {
        lock (_sync)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = cause;
        }

        // Closing the socket first aborts a pending receive, so the read loop ends promptly.
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
            // Already disconnected: nothing left to shut down.
        }

        _socket.Dispose();
        try
        {
            _stream.Dispose();
        }
        catch (Exception)
        {
            // A TLS stream may complain about its closed socket; it is gone either way.
        }

        var error = cause as RedisConnectionException
            ?? new RedisConnectionException($"Connection to {_endpoint} lost: {cause.Message}", cause);
        try
        {
            _log?.Invoke($"redis: connection to {_endpoint} closed ({error.Message}); failing {_pending.Count} pending command(s)");
        }
        catch (Exception)
        {
            // A failing log sink must not leave the pending commands below waiting for ever.
        }

        // Nothing is enqueued after _failure is set (Send checks it under the lock), so this drains everything.
        while (_pending.TryDequeue(out var pending))
        {
            pending.Fail(error);
        }
    }

    /// <summary>One sent command waiting for its reply, in the FIFO the read loop takes replies from.</summary>
    internal interface IPendingReply
    {
        /// <summary>Builds the result from the reply the reader has just scanned, consuming it.</summary>
        void Complete(RespReader reader);

        void Fail(Exception error);
    }

    /// <summary>The awaitable reply of one sent command, built by the command's own parser.</summary>
    internal sealed class PendingReply<T>(IReplyParser<T> parser)
        // Replies complete on the read loop; running callers' continuations there would stall every other reply.
        : TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously), IPendingReply
    {
        public void Complete(RespReader reader)
        {
            T result;
            try
            {
                result = reader.Read(parser);
            }
            catch (Exception ex)
            {
                // The reply was well-formed and is consumed; only this command's result could not be built
                // (or the server answered with an error), so the connection carries on.
                Fail(ex);
                return;
            }

            TrySetResult(result);
        }

        public void Fail(Exception error)
        {
            if (TrySetException(error))
            {
                // A caller that gave up waiting (cancellation) never observes this; do not report it as unobserved.
                _ = Task.Exception;
            }
        }
    }
}
