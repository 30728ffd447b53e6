using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis.Tests.Fakes;

/// <summary>
/// A scripted RESP server on 127.0.0.1 (npgsql's PgPostmasterMock idea): each accepted connection runs the
/// handler, which reads commands and writes whatever bytes the test wants, including broken ones.
/// </summary>
internal sealed class FakeRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<FakeConnection, Task> _handler;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<FakeConnection> _connections = [];
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    public FakeRedisServer(Func<FakeConnection, Task> handler, int port = 0, X509Certificate2? certificate = null)
    {
        _handler = handler;
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public int ConnectionCount => Volatile.Read(ref _accepted);

    /// <summary>Every command received, with the 1-based number of the connection it came on.</summary>
    public ConcurrentQueue<(int Connection, string[] Command)> Received { get; } = new();

    public IEnumerable<string[]> CommandsOn(int connection) =>
        Received.Where(r => r.Connection == connection).Select(r => r.Command);

    /// <summary>A handler that answers each command with <paramref name="reply"/>'s raw RESP; null closes the connection.</summary>
    public static Func<FakeConnection, Task> Replying(Func<FakeConnection, string[], string?> reply) => async connection =>
    {
        while (await connection.ReadCommandAsync() is { } command)
        {
            if (reply(connection, command) is not { } raw)
            {
                connection.Close();
                return;
            }

            if (raw.Length > 0)
            {
                await connection.SendAsync(raw);
            }
        }
    };

    /// <summary>Answers like a healthy server for the handful of commands the client sends on its own.</summary>
    public static string? Default(string[] command) => command[0].ToUpperInvariant() switch
    {
        "PING" => "+PONG\r\n",
        "ECHO" => $"${Encoding.UTF8.GetByteCount(command[1])}\r\n{command[1]}\r\n",
        _ => "+OK\r\n",
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            connection.Close();
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
            // The listener was stopped under it.
        }

        await Task.WhenAll(_handlers).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            var connection = new FakeConnection(this, Interlocked.Increment(ref _accepted), socket);
            _connections.Add(connection);
            _handlers.Add(Task.Run(() => RunAsync(connection)));
        }
    }

    private async Task RunAsync(FakeConnection connection)
    {
        try
        {
            if (_certificate is not null)
            {
                await connection.StartTlsAsync(_certificate, _stop.Token);
            }

            await _handler(connection);
        }
        catch (Exception)
        {
            // Scripts end by the client going away; that is not a test failure.
        }
        finally
        {
            connection.Close();
        }
    }

    internal void Record(int connection, string[] command) => Received.Enqueue((connection, command));
}

internal sealed class FakeConnection
{
    private readonly FakeRedisServer _server;
    private readonly Socket _socket;
    private readonly RespReader _reader = new();
    private Stream _stream;

    public FakeConnection(FakeRedisServer server, int number, Socket socket)
    {
        _server = server;
        Number = number;
        _socket = socket;

        // As redis-server does: small writes leave at once instead of waiting for the peer's delayed ACK.
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>1 for the first connection the server accepted.</summary>
    public int Number { get; }

    public async Task StartTlsAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(_stream);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken);
        _stream = ssl;
    }

    /// <summary>The next command, or null when the client closed the connection.</summary>
    public async Task<string[]?> ReadCommandAsync()
    {
        while (true)
        {
            if (_reader.TryRead(out var value))
            {
                var command = value.Items.Select(v => v.AsString()!).ToArray();
                _server.Record(Number, command);
                return command;
            }

            var read = await _stream.ReadAsync(_reader.GetWriteMemory());
            if (read == 0)
            {
                return null;
            }

            _reader.Advance(read);
        }
    }

    public async Task SendAsync(string raw)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(raw));
        await _stream.FlushAsync();
    }

    /// <summary>Writes <paramref name="raw"/> as one socket write (split it to dribble a reply).</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> raw)
    {
        await _stream.WriteAsync(raw);
        await _stream.FlushAsync();
    }

    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
            // Already closed.
        }

        _socket.Dispose();
    }
}
