using System.Globalization;

namespace DynamoWriter.Redis;

/// <summary>
/// One parsed RESP2 reply. Bulk strings are decoded as UTF-8 when parsed, because every value this
/// service handles (keys, IDs, field names and values) is text.
/// </summary>
public sealed class RespValue
{
    private static readonly RespValue[] NoItems = [];

    private readonly string? _text;
    private readonly long _integer;
    private readonly RespValue[]? _items;

    private RespValue(RespType type, string? text, long integer, RespValue[]? items)
    {
        Type = type;
        _text = text;
        _integer = integer;
        _items = items;
    }

    /// <summary>The shared null reply.</summary>
    public static RespValue Null { get; } = new(RespType.Null, null, 0, null);

    // Replies so frequent that allocating each one would show up in a pipelined benchmark.
    internal static RespValue Ok { get; } = new(RespType.SimpleString, "OK", 0, null);
    internal static RespValue Queued { get; } = new(RespType.SimpleString, "QUEUED", 0, null);
    internal static RespValue Pong { get; } = new(RespType.SimpleString, "PONG", 0, null);
    internal static RespValue EmptyBulkString { get; } = new(RespType.BulkString, string.Empty, 0, null);
    internal static RespValue EmptyArray { get; } = new(RespType.Array, null, 0, NoItems);

    public RespType Type { get; }

    public bool IsNull => Type == RespType.Null;

    public bool IsError => Type == RespType.Error;

    /// <summary>The elements of an array; empty for a null reply, so a nil "no results" reads as an empty list.</summary>
    /// <exception cref="InvalidCastException">The value is neither an array nor null.</exception>
    public IReadOnlyList<RespValue> Items => Type switch
    {
        RespType.Array => _items!,
        RespType.Null => NoItems,
        _ => throw new InvalidCastException($"A {Type} reply has no items."),
    };

    public static RespValue CreateSimpleString(string value) => new(RespType.SimpleString, value, 0, null);

    public static RespValue CreateBulkString(string value) => value.Length == 0 ? EmptyBulkString : new(RespType.BulkString, value, 0, null);

    public static RespValue CreateError(string message) => new(RespType.Error, message, 0, null);

    public static RespValue CreateInteger(long value) => new(RespType.Integer, null, value, null);

    public static RespValue CreateArray(params RespValue[] items) => items.Length == 0 ? EmptyArray : new(RespType.Array, null, 0, items);

    /// <summary>The text of a string or error reply, an integer in invariant digits, or null for a null reply.</summary>
    /// <exception cref="InvalidCastException">The value is an array.</exception>
    public string? AsString() => Type switch
    {
        RespType.SimpleString or RespType.BulkString or RespType.Error => _text,
        RespType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RespType.Null => null,
        _ => throw new InvalidCastException("An array reply is not a string."),
    };

    /// <summary>An integer reply, or a string reply holding an integer (Redis sends some counts as bulk strings).</summary>
    /// <exception cref="InvalidCastException">The value is not an integer.</exception>
    public long AsInt64()
    {
        if (Type == RespType.Integer)
        {
            return _integer;
        }

        if (Type is RespType.SimpleString or RespType.BulkString
            && long.TryParse(_text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw new InvalidCastException($"The {Type} reply {this} is not an integer.");
    }

    /// <summary>The reply in RESP-like notation, for messages and debugging.</summary>
    public override string ToString() => Type switch
    {
        RespType.SimpleString => "+" + _text,
        RespType.Error => "-" + _text,
        RespType.Integer => ":" + _integer.ToString(CultureInfo.InvariantCulture),
        RespType.BulkString => "\"" + _text + "\"",
        RespType.Null => "(nil)",
        _ => "[" + string.Join(", ", _items!.Select(i => i.ToString())) + "]",
    };
}
