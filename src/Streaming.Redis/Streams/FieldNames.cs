using StackExchange.Redis;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>
/// The field names of one stream's last entry, as read and as strings: producers write the same names in
/// the same order entry after entry, so a name equal to the one at its position is not decoded again and
/// every entry shares one string per name. Comparing two values read from a reply touches only their
/// bytes (each owns a copy, or holds short ones inline), so keeping them holds no reply buffer. The
/// comparison is binary: RedisValue's own equality first tries to parse both sides as numbers (5.6% of
/// the engine's CPU samples in a Redis-side drain), and would take "1.0" for "1".
/// </summary>
internal sealed class FieldNames
{
    /// <summary>Beyond this position names are decoded every time: an entry this wide is not the common shape.</summary>
    private const int MaxKept = 64;

    private RedisValue[] _read = [];
    private string[] _names = [];

    /// <summary>The name at <paramref name="position"/> of an entry, shared with earlier entries when it is the same.</summary>
    public string At(int position, in RedisValue name)
    {
        if (position < _read.Length && RedisValue.EqualityComparer.Binary.Equals(_read[position], name))
        {
            return _names[position];
        }

        var decoded = (string)name!;
        if (position < MaxKept)
        {
            if (position >= _read.Length)
            {
                var size = Math.Min(MaxKept, Math.Max(position + 1, _read.Length * 2));
                Array.Resize(ref _read, size);
                Array.Resize(ref _names, size);
            }

            _read[position] = name;
            _names[position] = decoded;
        }

        return decoded;
    }
}
