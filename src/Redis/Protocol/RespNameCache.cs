using System.Text;

namespace DynamoWriter.Redis.Protocol;

/// <summary>
/// The strings of short ASCII names recently read (stream field names, stream keys), so that a name repeated
/// in every entry of every reply is decoded once instead of once per entry.
/// </summary>
/// <remarks>
/// Direct-mapped and bounded: a name goes to one slot chosen by its hash and replaces whatever was there, so
/// memory stays at <see cref="Slots"/> references plus the strings however many distinct names pass through.
/// A miss costs nothing beyond the string the caller needed anyway. Not thread-safe: one per reader.
/// </remarks>
internal sealed class RespNameCache
{
    /// <summary>Longer values are decoded without looking here: they are rarely names.</summary>
    public const int MaxLength = 64;

    public const int Slots = 256;

    private readonly string?[] _slots = new string?[Slots];

    public string GetOrAdd(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        // FNV-1a: a handful of multiplies for a short name, and it spreads "f1", "f2"... over different slots.
        var hash = 2166136261;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619;
        }

        ref var slot = ref _slots[hash & (Slots - 1)];
        if (slot is { } cached && cached.Length == utf8.Length && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var text = Encoding.UTF8.GetString(utf8);
        if (Ascii.IsValid(utf8))
        {
            // Only ASCII is kept: Ascii.Equals then compares bytes to chars without decoding.
            slot = text;
        }

        return text;
    }
}
