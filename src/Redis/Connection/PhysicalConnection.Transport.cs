using System.Net.Security;
using System.Net.Sockets;

namespace DynamoWriter.Redis.Connection;

internal sealed partial class PhysicalConnection
{
    /// <summary>
    /// Opens the socket (and TLS), starts the read loop and runs AUTH, SELECT and CLIENT SETNAME.
    /// </summary>
    /// <exception cref="RedisConnectionException">Any failure, including a timeout or a rejected AUTH.</exception>
    public static async Task<PhysicalConnection> ConnectAsync(RedisClientOptions options, Action<string>? log, CancellationToken cancellationToken)
    {
        var (host, port) = options.ParseAddress();
        var endpoint = $"{host}:{port}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.ConnectTimeout > TimeSpan.Zero && options.ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(options.ConnectTimeout);
        }

        Socket? socket = null;
        PhysicalConnection? connection = null;
        try
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            // A peer that vanishes without a FIN is otherwise only noticed when a write fails.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            TuneKeepAlive(socket);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);

            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(TlsOptions(options, host), timeout.Token).ConfigureAwait(false);
            }

            connection = new PhysicalConnection(socket, stream, endpoint, log);
            connection.StartReading();
            await connection.HandshakeAsync(options, timeout.Token).ConfigureAwait(false);
            log?.Invoke($"redis: connected to {endpoint}{(options.Tls ? " (TLS)" : "")}, db {options.Database}");
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                connection.Abort("connection setup failed");
            }
            else
            {
                socket?.Dispose();
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw ex switch
            {
                OperationCanceledException => new RedisConnectionException($"Connecting to {endpoint} timed out after {options.ConnectTimeout}.", ex),
                RedisServerException server => new RedisConnectionException($"Connecting to {endpoint} failed: the server answered {server.Message}", server),
                RedisConnectionException => ex,
                _ => new RedisConnectionException($"Connecting to {endpoint} failed: {ex.Message}", ex),
            };
        }
    }

    // The OS default (two hours of silence) would leave a blocked reader waiting on a dead peer far too long.
    private static void TuneKeepAlive(Socket socket)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        }
        catch (Exception ex) when (ex is SocketException or PlatformNotSupportedException)
        {
            // Not tunable on this platform: the OS defaults still apply.
        }
    }

    private static SslClientAuthenticationOptions TlsOptions(RedisClientOptions options, string host)
    {
        var tls = new SslClientAuthenticationOptions { TargetHost = host };
        if (options.TlsAllowUntrustedCertificate)
        {
            // Opt-in for self-signed test servers only; the option's name says what it gives up.
#pragma warning disable CA5359
            tls.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        return tls;
    }

    private async Task HandshakeAsync(RedisClientOptions options, CancellationToken cancellationToken)
    {
        var commands = new List<IReadOnlyList<string>>(3);
        if (!string.IsNullOrEmpty(options.Password))
        {
            commands.Add(string.IsNullOrEmpty(options.Username)
                ? ["AUTH", options.Password]
                : ["AUTH", options.Username, options.Password]);
        }

        if (options.Database != 0)
        {
            commands.Add(["SELECT", options.Database.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (!string.IsNullOrEmpty(options.ClientName))
        {
            commands.Add(["CLIENT", "SETNAME", options.ClientName]);
        }

        if (commands.Count == 0)
        {
            return;
        }

        // Pipelined: one round trip for the whole handshake.
        var replies = Send(commands) ?? throw new RedisConnectionException($"Connection to {_endpoint} closed during the handshake.");
        foreach (var reply in replies)
        {
            var value = await reply.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (value.IsError)
            {
                throw new RedisServerException(value.AsString()!);
            }
        }
    }
}
