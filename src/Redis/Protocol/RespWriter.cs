using System.Buffers;
using System.Globalization;
using System.Text;

namespace DynamoWriter.Redis.Protocol;

/// <summary>
/// Encodes commands as RESP2 arrays of bulk strings into one growable buffer, so that a batch of
/// pipelined commands leaves in a single socket write.
/// </summary>
internal sealed class RespWriter : IDisposable
{
    // Prefix, up to 20 digits and a sign, CR LF.
    private const int MaxHeaderLength = 1 + 21 + 2;

    // A buffer that grew for one huge batch is given back rather than kept for ever.
    private const int RetainedSize = 1024 * 1024;

    private readonly int _initialSize;
    private byte[] _buffer;

    public RespWriter(int initialSize = 16 * 1024)
    {
        _initialSize = initialSize;
        _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
    }

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    public void WriteCommand(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new ArgumentException("A command needs at least its name.", nameof(args));
        }

        WriteHeader(RespPrefix.Array, args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i] ?? throw new ArgumentException($"Argument {i} of {args[0]} is null.", nameof(args));
            var byteCount = Encoding.UTF8.GetByteCount(arg);
            WriteHeader(RespPrefix.BulkString, byteCount);
            Ensure(byteCount + 2);
            Length += Encoding.UTF8.GetBytes(arg, _buffer.AsSpan(Length));
            RespBytes.Crlf.CopyTo(_buffer.AsSpan(Length));
            Length += 2;
        }
    }

    /// <summary>Forgets what was written, keeping the buffer unless one batch made it unusually large.</summary>
    public void Reset()
    {
        Length = 0;
        if (_buffer.Length > RetainedSize)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(_initialSize);
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        Length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WriteHeader(RespPrefix prefix, long value)
    {
        Ensure(MaxHeaderLength);
        var span = _buffer.AsSpan(Length);
        span[0] = (byte)prefix;
        value.TryFormat(span[1..], out var digits, default, CultureInfo.InvariantCulture);
        RespBytes.Crlf.CopyTo(span[(1 + digits)..]);
        Length += 1 + digits + 2;
    }

    private void Ensure(int size)
    {
        if (_buffer.Length - Length >= size)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)Length + size)));
        _buffer.AsSpan(0, Length).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
