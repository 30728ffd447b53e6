namespace DynamoWriter.Redis.Protocol;

/// <summary>The first byte of every RESP2 value, which says how to read the rest.</summary>
internal enum RespPrefix : byte
{
    SimpleString = (byte)'+',
    Error = (byte)'-',
    Integer = (byte)':',
    BulkString = (byte)'$',
    Array = (byte)'*',
}

/// <summary>The other bytes RESP2 gives a meaning to.</summary>
internal static class RespBytes
{
    public const byte CarriageReturn = (byte)'\r';
    public const byte LineFeed = (byte)'\n';

    /// <summary>Every line and every bulk payload ends with CR LF.</summary>
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>The length RESP2 uses for a null bulk string or a null array.</summary>
    public const long NullLength = -1;
}
