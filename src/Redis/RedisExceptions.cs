namespace DynamoWriter.Redis;

/// <summary>Base of every error the Redis client raises.</summary>
public class RedisException : Exception
{
    public RedisException()
    {
    }

    public RedisException(string message)
        : base(message)
    {
    }

    public RedisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The server answered with an error reply. The connection is fine and later commands may succeed.
/// </summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException()
        : this("ERR")
    {
    }

    /// <param name="message">The server's whole error message, e.g. <c>BUSYGROUP Consumer Group name already exists</c>.</param>
    public RedisServerException(string message)
        : this(message, null)
    {
    }

    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        var space = message.IndexOf(' ', StringComparison.Ordinal);
        ErrorCode = space < 0 ? message : message[..space];
    }

    /// <summary>
    /// The first word of the message (ERR, BUSYGROUP, NOGROUP, WRONGTYPE, NOAUTH, WRONGPASS, EXECABORT...),
    /// which is what callers branch on; the rest is prose that changes between server versions.
    /// </summary>
    public string ErrorCode { get; }
}

/// <summary>
/// The command's outcome is unknown or it was never sent: the connection could not be opened, it dropped,
/// or a timeout expired. The next command opens a new connection.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The server sent bytes that are not valid RESP2. The client drops the connection, because nothing after a
/// corrupt reply can be matched to its command; pending commands then fail with <see cref="RedisConnectionException"/>.
/// </summary>
public sealed class RedisProtocolException : RedisException
{
    public RedisProtocolException()
    {
    }

    public RedisProtocolException(string message)
        : base(message)
    {
    }

    public RedisProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
