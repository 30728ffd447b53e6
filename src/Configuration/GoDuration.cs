using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace DynamoWriter.Configuration;

/// <summary>
/// Durations written the way the Go service accepted them (<c>time.ParseDuration</c>): <c>10s</c>,
/// <c>250ms</c>, <c>1m30s</c>, <c>1.5h</c>, <c>300us</c>/<c>300µs</c>, <c>2ns</c>, <c>0</c>; also a .NET
/// <see cref="TimeSpan"/> such as <c>00:00:10</c>, because .NET users will write one.
/// </summary>
public static class GoDuration
{
    /// <summary>Appended to every parse error, so the user sees what is expected.</summary>
    public const string Hint = "use Go style such as 2s, 250ms, 1m30s";

    private const long NanosPerTick = 100;
    private const long NanosPerMicrosecond = 1_000;
    private const long NanosPerMillisecond = 1_000_000;
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>
    /// Go's <c>time.Duration</c> is an int64 of nanoseconds (about 292 years); a longer value was an
    /// error there, so it is one here too rather than a silently different value.
    /// </summary>
    public static readonly TimeSpan MaxValue = TimeSpan.FromTicks(long.MaxValue / NanosPerTick);

    // The units time.ParseDuration knows; both micro signs are accepted, as in Go.
    private static readonly Dictionary<string, long> UnitNanos = new(StringComparer.Ordinal)
    {
        ["ns"] = 1,
        ["us"] = NanosPerMicrosecond,
        ["\u00b5s"] = NanosPerMicrosecond,
        ["\u03bcs"] = NanosPerMicrosecond,
        ["ms"] = NanosPerMillisecond,
        ["s"] = NanosPerSecond,
        ["m"] = 60 * NanosPerSecond,
        ["h"] = 3600 * NanosPerSecond,
    };

    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> is a message for the user.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        if (text is null || text.Trim().Length == 0)
        {
            error = $"'{text}' is not a duration ({Hint})";
            return false;
        }

        var s = text.Trim();
        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TryParseTimeSpan(text, s, out value, out error);
        }

        var negative = false;
        var rest = s.AsSpan();
        if (rest[0] is '+' or '-')
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }

        // Go special-cases a bare zero: it is the only number allowed without a unit.
        if (rest is "0")
        {
            return true;
        }

        if (rest.IsEmpty)
        {
            error = $"'{text}' is not a duration ({Hint})";
            return false;
        }

        decimal totalNanos = 0;
        while (!rest.IsEmpty)
        {
            var numberLength = 0;
            var digits = 0;
            var dots = 0;
            while (numberLength < rest.Length && (char.IsAsciiDigit(rest[numberLength]) || rest[numberLength] == '.'))
            {
                if (rest[numberLength] == '.')
                {
                    dots++;
                }
                else
                {
                    digits++;
                }

                numberLength++;
            }

            if (digits == 0 || dots > 1)
            {
                error = $"'{text}' is not a duration ({Hint})";
                return false;
            }

            var unitLength = 0;
            while (numberLength + unitLength < rest.Length
                && !char.IsAsciiDigit(rest[numberLength + unitLength])
                && rest[numberLength + unitLength] != '.')
            {
                unitLength++;
            }

            var unit = rest.Slice(numberLength, unitLength).ToString();
            if (unit.Length == 0)
            {
                // The Go service (through spf13/cast) read a bare "5" as 5ns, which is never what anyone
                // meant; refusing it is safer than silently polling in a tight loop.
                error = $"'{text}' is not a duration: the number needs a unit such as s or ms ({Hint})";
                return false;
            }

            if (!UnitNanos.TryGetValue(unit, out var unitNanos))
            {
                error = $"'{text}' is not a duration: unknown unit '{unit}' (valid units are ns, us, ms, s, m, h)";
                return false;
            }

            if (!decimal.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                || number > long.MaxValue / unitNanos)
            {
                error = TooLarge(text);
                return false;
            }

            totalNanos += number * unitNanos;
            if (totalNanos > long.MaxValue)
            {
                error = TooLarge(text);
                return false;
            }

            rest = rest[(numberLength + unitLength)..];
        }

        var ticks = (long)decimal.Round(totalNanos / NanosPerTick, MidpointRounding.AwayFromZero);

        // TimeSpan counts 100ns ticks. A positive value below that must not become zero: "50ns" would
        // otherwise fail a "greater than zero" check although the user wrote a positive duration.
        if (ticks == 0 && totalNanos > 0)
        {
            ticks = 1;
        }

        if (negative && ticks != 0)
        {
            error = $"'{text}' is negative; a duration must be zero or more";
            return false;
        }

        value = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws a <see cref="FormatException"/> with the user-facing message.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>
    /// Formats exactly as Go's <c>Duration.String()</c> (<c>0s</c>, <c>250ms</c>, <c>1.5µs</c>, <c>1m30s</c>,
    /// <c>1h0m0s</c>), so log lines match the ones the Go service wrote and the text parses back.
    /// </summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        // Int128: TimeSpan.MaxValue in nanoseconds does not fit in 64 bits.
        var nanos = (Int128)value.Ticks * NanosPerTick;
        var sb = new StringBuilder();
        if (nanos < 0)
        {
            sb.Append('-');
            nanos = -nanos;
        }

        if (nanos < NanosPerSecond)
        {
            if (nanos < NanosPerMicrosecond)
            {
                return sb.Append(nanos.ToString(CultureInfo.InvariantCulture)).Append("ns").ToString();
            }

            return nanos < NanosPerMillisecond
                ? AppendFraction(sb, nanos, NanosPerMicrosecond).Append("\u00b5s").ToString()
                : AppendFraction(sb, nanos, NanosPerMillisecond).Append("ms").ToString();
        }

        var totalSeconds = nanos / NanosPerSecond;
        var hours = totalSeconds / 3600;
        var minutes = totalSeconds / 60 % 60;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return AppendFraction(sb, nanos % (60 * NanosPerSecond), NanosPerSecond).Append('s').ToString();
    }

    private static StringBuilder AppendFraction(StringBuilder sb, Int128 nanos, long unit)
    {
        sb.Append((nanos / unit).ToString(CultureInfo.InvariantCulture));
        var fraction = nanos % unit;
        if (fraction != 0)
        {
            var width = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
            sb.Append('.').Append(fraction.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0').TrimEnd('0'));
        }

        return sb;
    }

    private static bool TryParseTimeSpan(string text, string trimmed, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (!TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out value))
        {
            error = $"'{text}' is not a duration ({Hint})";
            return false;
        }

        if (value < TimeSpan.Zero)
        {
            value = TimeSpan.Zero;
            error = $"'{text}' is negative; a duration must be zero or more";
            return false;
        }

        if (value > MaxValue)
        {
            value = TimeSpan.Zero;
            error = TooLarge(text);
            return false;
        }

        return true;
    }

    private static string TooLarge(string text) =>
        $"'{text}' is too large; the longest duration is {Format(MaxValue)} (about 292 years)";
}
