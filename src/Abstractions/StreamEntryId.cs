using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DynamoWriter;

/// <summary>A Redis stream entry ID, <c>milliseconds-sequence</c>, ordered as Redis orders it.</summary>
public readonly record struct StreamEntryId(ulong Milliseconds, ulong Sequence) : IComparable<StreamEntryId>
{
    public static readonly StreamEntryId Zero = new(0, 0);

    public static StreamEntryId Parse(string value) =>
        TryParse(value, out var id) ? id : throw new FormatException($"'{value}' is not a stream entry ID (expected <ms>-<seq>).");

    public static bool TryParse([NotNullWhen(true)] string? value, out StreamEntryId id)
    {
        id = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var dash = value.IndexOf('-', StringComparison.Ordinal);
        var msPart = dash < 0 ? value.AsSpan() : value.AsSpan(0, dash);
        var seqPart = dash < 0 ? "0".AsSpan() : value.AsSpan(dash + 1);
        if (!ulong.TryParse(msPart, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(seqPart, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        id = new StreamEntryId(ms, seq);
        return true;
    }

    /// <summary>Time the producer's Redis assigned the ID, when the ID was auto-generated.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(Milliseconds, (ulong)long.MaxValue / 2));

    /// <summary>
    /// A fixed-width decimal rendering (20 + 1 + 20 digits) whose string order equals ID order,
    /// so it can be compared in a DynamoDB condition expression as a string.
    /// </summary>
    public string ToSortableString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Milliseconds:D20}-{Sequence:D20}");

    /// <summary>The smallest ID strictly greater than this one.</summary>
    public StreamEntryId Next() => Sequence == ulong.MaxValue ? new(Milliseconds + 1, 0) : new(Milliseconds, Sequence + 1);

    public int CompareTo(StreamEntryId other)
    {
        var c = Milliseconds.CompareTo(other.Milliseconds);
        return c != 0 ? c : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) < 0;
    public static bool operator >(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) > 0;
    public static bool operator <=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) <= 0;
    public static bool operator >=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
