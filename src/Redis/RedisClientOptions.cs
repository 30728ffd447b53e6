using System.Globalization;
using DynamoWriter.Options;

namespace DynamoWriter.Redis;

/// <summary>How a <see cref="RedisClient"/> reaches and authenticates to its server.</summary>
public sealed class RedisClientOptions
{
    public const string DefaultAddress = "localhost:6379";
    public const int DefaultPort = 6379;
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultReconnectBackoffMax = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);
    private const double MaxTimerMilliseconds = uint.MaxValue - 1;

    /// <summary><c>host:port</c>, <c>[::1]:port</c>, or <c>host</c> alone for port 6379.</summary>
    public string Address { get; set; } = DefaultAddress;

    /// <summary>ACL user; with a password and no user, <c>AUTH password</c> authenticates the default user.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    public int Database { get; set; }

    public bool Tls { get; set; }

    /// <summary>Accept any server certificate (self-signed test servers); never for production.</summary>
    public bool TlsAllowUntrustedCertificate { get; set; }

    /// <summary>Sent with CLIENT SETNAME, so CLIENT LIST shows who holds each connection.</summary>
    public string? ClientName { get; set; }

    /// <summary>Limit on TCP connect, TLS handshake and AUTH/SELECT/SETNAME together.</summary>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>Cap of the jittered exponential wait between failed connection attempts.</summary>
    public TimeSpan ReconnectBackoffMax { get; set; } = DefaultReconnectBackoffMax;

    /// <summary>
    /// How long a sent command may wait for its reply (a blocking XREADGROUP gets its BLOCK time on top;
    /// BLOCK 0 waits for ever). When it expires the caller gets a <see cref="RedisConnectionException"/> with a
    /// <see cref="TimeoutException"/> inside and the connection is closed, since no later reply on it could be
    /// matched to its command any more; the next command reconnects. <see cref="TimeSpan.Zero"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = DefaultCommandTimeout;

    /// <summary>The limit on one reply, or null for none (see <see cref="CommandTimeout"/>).</summary>
    /// <param name="block">The BLOCK time of a blocking command, null for any other command.</param>
    internal TimeSpan? ReplyTimeout(TimeSpan? block)
    {
        // BLOCK 0 (and a negative block, sent as 0) waits for ever, so its reply may legitimately never come.
        if (CommandTimeout <= TimeSpan.Zero || CommandTimeout == Timeout.InfiniteTimeSpan || block <= TimeSpan.Zero)
        {
            return null;
        }

        // Task.WaitAsync takes at most about 49 days; anything near that is "for ever" in practice.
        var limit = CommandTimeout.TotalMilliseconds + (block?.TotalMilliseconds ?? 0);
        return limit >= MaxTimerMilliseconds ? null : TimeSpan.FromMilliseconds(limit);
    }

    public static RedisClientOptions From(RedisServerOptions server, string? clientName)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new RedisClientOptions
        {
            Address = string.IsNullOrWhiteSpace(server.Address) ? DefaultAddress : server.Address.Trim(),
            Username = string.IsNullOrEmpty(server.Username) ? null : server.Username,
            Password = string.IsNullOrEmpty(server.Password) ? null : server.Password,
            Database = server.Db,
            Tls = server.Tls,
            ClientName = string.IsNullOrEmpty(clientName) ? null : clientName,
        };
    }

    /// <summary>Splits <see cref="Address"/> into host and port.</summary>
    /// <exception cref="FormatException">The address is not one of the accepted forms.</exception>
    public (string Host, int Port) ParseAddress() => ParseAddress(Address);

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
            // [IPv6] or [IPv6]:port: the brackets are what tell the port's colon from the address's.
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
                // Several colons and no brackets: a bare IPv6 address, default port.
                host = a;
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
