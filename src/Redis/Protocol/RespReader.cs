using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace DynamoWriter.Redis.Protocol;

/// <summary>
/// Incremental RESP2 reader: bytes go in as the socket delivers them, whole replies come out.
/// </summary>
/// <remarks>
/// Reading is two passes. A resumable scan walks headers and skips bulk payloads by length, remembering
/// where it stopped, so a reply that arrives in a thousand pieces is still scanned once in total and
/// nothing is allocated until it is complete. Only then does a second pass build the reply with an
/// <see cref="IReplyParser{T}"/>: the <see cref="RespValue"/> tree for most commands, typed results straight
/// from the buffer for the stream commands, decoding bulk strings from the buffer to strings either way.
/// </remarks>
internal sealed class RespReader : IDisposable
{
    /// <summary>Redis' own limit on a bulk string (proto-max-bulk-len default).</summary>
    public const long MaxBulkLength = 512L * 1024 * 1024;

    /// <summary>Deeper nesting than any Redis reply has means the stream is corrupt.</summary>
    public const int MaxDepth = 32;

    private const int MinimumReadSize = 4096;

    private byte[] _buffer;

    // Unconsumed bytes are _buffer[_start.._end); the reply being scanned begins at _start.
    private int _start;
    private int _end;

    // Scan progress, relative to _start so that compacting the buffer does not invalidate it.
    private int _scanned;
    private readonly int[] _remaining = new int[MaxDepth];
    private int _depth;

    // Only the thread that reads replies touches the reader, so the cache needs no lock.
    private readonly RespNameCache _names = new();

    public RespReader(int initialSize = 16 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
    }

    // The scan only stops with nothing open when it has just finished a reply.
    private bool IsScanned => _scanned > 0 && _depth == 0;

    /// <summary>Bytes received but not yet returned as a reply.</summary>
    public int Buffered => _end - _start;

    /// <summary>Space to receive into; call <see cref="Advance"/> with the number of bytes written.</summary>
    public Memory<byte> GetWriteMemory(int sizeHint = MinimumReadSize)
    {
        EnsureFree(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_end);
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>Copies <paramref name="data"/> in (tests and fakes; the client receives in place).</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetWriteMemory(data.Length).Span);
        Advance(data.Length);
    }

    /// <summary>Returns the next complete reply, or false when more bytes are needed.</summary>
    /// <exception cref="RedisProtocolException">The bytes are not valid RESP2; the stream cannot be recovered.</exception>
    public bool TryRead([NotNullWhen(true)] out RespValue? value)
    {
        if (!TryScan())
        {
            value = null;
            return false;
        }

        value = Read(RespValueParser.Instance);
        return true;
    }

    /// <summary>
    /// Advances the scan as far as the bytes allow; true once a whole reply is buffered, which the next
    /// <see cref="Read{T}"/> returns. Allocates nothing.
    /// </summary>
    /// <exception cref="RedisProtocolException">The bytes are not valid RESP2; the stream cannot be recovered.</exception>
    public bool TryScan() => IsScanned || ContinueScan(_buffer.AsSpan(_start, _end - _start));

    /// <summary>
    /// Builds the reply <see cref="TryScan"/> found with <paramref name="parser"/> and consumes it, even when
    /// the parser throws: the reply was well-formed, so the next one starts right after it either way.
    /// </summary>
    public T Read<T>(IReplyParser<T> parser)
    {
        if (!IsScanned)
        {
            throw new InvalidOperationException("No complete reply has been scanned.");
        }

        var length = _scanned;
        try
        {
            var reply = new RespCursor(_buffer.AsSpan(_start, length), _names);
            return parser.Parse(ref reply);
        }
        finally
        {
            _start += length;
            _scanned = 0;
            if (_start == _end)
            {
                _start = _end = 0;
            }
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _start = _end = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureFree(int size)
    {
        if (_buffer.Length - _end >= size)
        {
            return;
        }

        var used = _end - _start;
        if (_start > 0 && _buffer.Length - used >= size && used <= _buffer.Length / 2)
        {
            // Moving a small tail to the front is cheaper than a larger buffer.
            _buffer.AsSpan(_start, used).CopyTo(_buffer);
        }
        else
        {
            var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)used + size)));
            _buffer.AsSpan(_start, used).CopyTo(grown);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = grown;
        }

        _start = 0;
        _end = used;
    }

    /// <summary>Advances the scan as far as the bytes allow; true once a whole top-level reply is there.</summary>
    private bool ContinueScan(ReadOnlySpan<byte> frame)
    {
        while (true)
        {
            var rest = frame[_scanned..];
            var lineEnd = rest.IndexOf(RespBytes.CarriageReturn);
            if (lineEnd < 0 || lineEnd + 1 >= rest.Length)
            {
                return false;
            }

            if (rest[lineEnd + 1] != RespBytes.LineFeed)
            {
                throw new RedisProtocolException("Expected LF after CR at the end of a line.");
            }

            var headerLength = lineEnd + 2;
            switch ((RespPrefix)rest[0])
            {
                case RespPrefix.SimpleString:
                case RespPrefix.Error:
                    _scanned += headerLength;
                    break;
                case RespPrefix.Integer:
                    ParseInteger(rest[1..lineEnd]);
                    _scanned += headerLength;
                    break;
                case RespPrefix.BulkString:
                {
                    var length = ParseLength(rest[1..lineEnd], MaxBulkLength);
                    if (length != RespBytes.NullLength)
                    {
                        var total = headerLength + length + 2;
                        if (rest.Length < total)
                        {
                            // Stay at the header: re-reading one short line later is cheaper than more state.
                            return false;
                        }

                        if (!rest.Slice(headerLength + (int)length, 2).SequenceEqual(RespBytes.Crlf))
                        {
                            throw new RedisProtocolException("A bulk string is not followed by CRLF.");
                        }

                        _scanned += (int)total;
                    }
                    else
                    {
                        _scanned += headerLength;
                    }

                    break;
                }

                case RespPrefix.Array:
                {
                    var count = ParseLength(rest[1..lineEnd], int.MaxValue);
                    _scanned += headerLength;
                    if (count > 0)
                    {
                        if (_depth == MaxDepth)
                        {
                            throw new RedisProtocolException($"Arrays nested deeper than {MaxDepth} levels.");
                        }

                        _remaining[_depth++] = (int)count;
                        continue;
                    }

                    break;
                }

                default:
                    throw new RedisProtocolException($"Unknown RESP type prefix 0x{rest[0]:X2}.");
            }

            // One element is complete: close every array it completes.
            while (_depth > 0 && --_remaining[_depth - 1] == 0)
            {
                _depth--;
            }

            if (_depth == 0)
            {
                return true;
            }
        }
    }

    /// <summary>Builds the value of a reply <see cref="TryScan"/> has proven complete and well-formed.</summary>
    internal static RespValue Parse(ReadOnlySpan<byte> frame, ref int position)
    {
        var rest = frame[position..];
        var lineEnd = rest.IndexOf(RespBytes.CarriageReturn);
        var line = rest[1..lineEnd];
        position += lineEnd + 2;
        switch ((RespPrefix)rest[0])
        {
            case RespPrefix.SimpleString:
                return line.SequenceEqual("OK"u8) ? RespValue.Ok
                    : line.SequenceEqual("QUEUED"u8) ? RespValue.Queued
                    : line.SequenceEqual("PONG"u8) ? RespValue.Pong
                    : RespValue.CreateSimpleString(Encoding.UTF8.GetString(line));
            case RespPrefix.Error:
                return RespValue.CreateError(Encoding.UTF8.GetString(line));
            case RespPrefix.Integer:
                return RespValue.CreateInteger(ParseInteger(line));
            case RespPrefix.BulkString:
            {
                var length = (int)ParseLength(line, MaxBulkLength);
                if (length == RespBytes.NullLength)
                {
                    return RespValue.Null;
                }

                var text = length == 0 ? string.Empty : Encoding.UTF8.GetString(frame.Slice(position, length));
                position += length + 2;
                return RespValue.CreateBulkString(text);
            }

            default:
            {
                var count = (int)ParseLength(line, int.MaxValue);
                if (count == RespBytes.NullLength)
                {
                    return RespValue.Null;
                }

                var items = count == 0 ? [] : new RespValue[count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = Parse(frame, ref position);
                }

                return RespValue.CreateArray(items);
            }
        }
    }

    internal static long ParseInteger(ReadOnlySpan<byte> digits) =>
        long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RedisProtocolException($"'{Encoding.ASCII.GetString(digits)}' is not a RESP integer.");

    internal static long ParseLength(ReadOnlySpan<byte> digits, long max)
    {
        var length = ParseInteger(digits);
        return length < RespBytes.NullLength || length > max
            ? throw new RedisProtocolException($"Invalid RESP length {length}.")
            : length;
    }
}
