using System.Globalization;
using DynamoWriter.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations;

/// <summary>
/// The one StackExchange.Redis connection of everything outside the stream provider: status, heartbeats,
/// maintenance, stream statistics, health checks, dead-letter replay and the publisher. Connects on first
/// use (never in the constructor), so building the container never waits for Redis. Owned and disposed
/// by the container.
/// </summary>
public sealed class DynamoWriterRedis : IAsyncDisposable, IDisposable
{
    /// <summary>The client name this connection shows in CLIENT LIST.</summary>
    public const string DefaultClientName = "dynamo-writer:operations";

    private const int DefaultPort = 6379;
    private readonly ConfigurationOptions _configuration;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _connection;
    private bool _disposed;

    public DynamoWriterRedis(IOptions<DynamoWriterOptions> options)
        : this(options.Value.Stream.EffectiveServer, DefaultClientName)
    {
    }

    public DynamoWriterRedis(RedisServerOptions server, string clientName)
    {
        ArgumentNullException.ThrowIfNull(server);
        _configuration = For(server, clientName);
        Address = string.IsNullOrWhiteSpace(server.Address) ? StreamOptions.DefaultRedisAddress : server.Address.Trim();
    }

    /// <summary>The configured address (host:port), for messages; never the password.</summary>
    public string Address { get; }

    /// <summary>
    /// StackExchange.Redis options for <paramref name="server"/>: one endpoint, ACL user and password, database,
    /// TLS, <paramref name="clientName"/>, and <c>AbortOnConnectFail = false</c> so a Redis that is down at start
    /// is retried in the background instead of failing the process.
    /// </summary>
    /// <exception cref="FormatException">The address is not <c>host</c>, <c>host:port</c>, <c>[ipv6]:port</c> or a bare IPv6 address.</exception>
    public static ConfigurationOptions For(RedisServerOptions server, string clientName)
    {
        ArgumentNullException.ThrowIfNull(server);
        var (host, port) = ParseAddress(string.IsNullOrWhiteSpace(server.Address) ? StreamOptions.DefaultRedisAddress : server.Address);
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ClientName = string.IsNullOrEmpty(clientName) ? null : clientName,
            User = string.IsNullOrEmpty(server.Username) ? null : server.Username,
            Password = string.IsNullOrEmpty(server.Password) ? null : server.Password,
            DefaultDatabase = server.Db,
            Ssl = server.Tls,
        };
        if (server.Tls)
        {
            options.SslHost = host;
        }

        options.EndPoints.Add(host, port);
        return options;
    }

    /// <summary>The connection, connecting on first use. With AbortOnConnectFail off it returns even while Redis is down.</summary>
    public async Task<IConnectionMultiplexer> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _connection) is { } existing)
        {
            return existing;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is null)
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(_configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _connection, connection);
            }

            return _connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>The configured database of <see cref="GetConnectionAsync"/>.</summary>
    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken = default) =>
        (await GetConnectionAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Interlocked.Exchange(ref _connection, null)?.Dispose();
        _connectLock.Dispose();
    }

    /// <summary>host, host:port, [ipv6] or [ipv6]:port, or a bare IPv6 address (default port).</summary>
    internal static (string Host, int Port) ParseAddress(string address)
    {
        var a = address?.Trim() ?? "";
        if (a.Length == 0)
        {
            throw new FormatException("The Redis address is empty.");
        }

        string host;
        string? port = null;
        if (a[0] == '[')
        {
            var close = a.IndexOf(']', StringComparison.Ordinal);
            if (close < 2 || (close + 1 < a.Length && a[close + 1] != ':'))
            {
                throw new FormatException($"'{address}' is not a valid Redis address (expected [ipv6]:port).");
            }

            host = a[1..close];
            port = close + 1 < a.Length ? a[(close + 2)..] : null;
        }
        else
        {
            var colon = a.LastIndexOf(':');
            if (colon >= 0 && a.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                host = a; // several colons and no brackets: a bare IPv6 address
            }
            else if (colon >= 0)
            {
                host = a[..colon];
                port = a[(colon + 1)..];
            }
            else
            {
                host = a;
            }
        }

        if (host.Length == 0)
        {
            throw new FormatException($"'{address}' has no host.");
        }

        if (port is null)
        {
            return (host, DefaultPort);
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535
            ? (host, p)
            : throw new FormatException($"'{address}' has an invalid port '{port}'.");
    }
}
