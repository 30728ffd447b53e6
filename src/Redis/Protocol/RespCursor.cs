using System.Text;

namespace DynamoWriter.Redis.Protocol;

/// <summary>
/// Reads one complete, scanned reply front to back for an <see cref="IReplyParser{T}"/>. Every <c>TryRead</c>
/// leaves the position where it was and returns false when the next value is not of the type asked for, so
/// a parser can give up on an unexpected shape and <see cref="Rewind"/> to the generic <see cref="ReadValue"/>.
/// </summary>
internal ref struct RespCursor
{
    private readonly ReadOnlySpan<byte> _reply;
    private readonly RespNameCache? _names;
    private int _position;

    /// <param name="reply">Exactly one reply that <see cref="RespReader"/> has scanned, so well-formed RESP2.</param>
    /// <param name="names">Shares the strings of repeated short names; null decodes every one.</param>
    public RespCursor(ReadOnlySpan<byte> reply, RespNameCache? names = null)
    {
        _reply = reply;
        _names = names;
    }

    /// <summary>The type prefix of the next value.</summary>
    public readonly RespPrefix Next => (RespPrefix)_reply[_position];

    /// <summary>Goes back to the first byte of the reply.</summary>
    public void Rewind() => _position = 0;

    /// <summary>The next value as a <see cref="RespValue"/> tree, whatever its type.</summary>
    public RespValue ReadValue() => RespReader.Parse(_reply, ref _position);

    /// <summary>An array header; <paramref name="count"/> is -1 for a null array.</summary>
    public bool TryReadArray(out int count)
    {
        if (Next != RespPrefix.Array)
        {
            count = 0;
            return false;
        }

        count = (int)ReadHeaderNumber();
        return true;
    }

    /// <summary>A bulk string decoded as UTF-8; <paramref name="value"/> is null for a null bulk string.</summary>
    public bool TryReadString(out string? value)
    {
        if (!TryReadBulk(out var bytes, out var isNull))
        {
            value = null;
            return false;
        }

        value = isNull ? null : bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>
    /// Like <see cref="TryReadString"/>, for values that repeat from entry to entry (field names, stream keys):
    /// a short name seen before comes back as the same string instance, without allocating.
    /// </summary>
    public bool TryReadName(out string? value)
    {
        if (!TryReadBulk(out var bytes, out var isNull))
        {
            value = null;
            return false;
        }

        value = isNull ? null : _names is null ? Encoding.UTF8.GetString(bytes) : _names.GetOrAdd(bytes);
        return true;
    }

    private bool TryReadBulk(out ReadOnlySpan<byte> bytes, out bool isNull)
    {
        bytes = default;
        isNull = false;
        if (Next != RespPrefix.BulkString)
        {
            return false;
        }

        var length = ReadHeaderNumber();
        if (length == RespBytes.NullLength)
        {
            isNull = true;
            return true;
        }

        bytes = _reply.Slice(_position, (int)length);
        _position += (int)length + RespBytes.Crlf.Length;
        return true;
    }

    /// <summary>Reads the number of a header line (<c>*3</c>, <c>$12</c>) and moves past its CR LF.</summary>
    private long ReadHeaderNumber()
    {
        // The scan has validated the line, so plain digits need no checks; anything else takes the careful path.
        var line = _reply[(_position + 1)..];
        var negative = line[0] == (byte)'-';
        var i = negative ? 1 : 0;
        long value = 0;
        uint digit;
        while ((digit = (uint)(line[i] - '0')) <= 9)
        {
            value = (value * 10) + digit;
            i++;
        }

        if (line[i] != RespBytes.CarriageReturn || i == (negative ? 1 : 0))
        {
            i = line.IndexOf(RespBytes.CarriageReturn);
            value = RespReader.ParseInteger(line[..i]);
            negative = false;
        }

        _position += 1 + i + RespBytes.Crlf.Length;
        return negative ? -value : value;
    }
}
