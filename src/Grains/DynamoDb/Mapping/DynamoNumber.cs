using System.Buffers;
using System.Globalization;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// DynamoDB's number type: up to 38 significant digits, magnitude 1E-130 to 9.99…E+125 (or zero).
/// Parses decimal text (optional sign, digits, optional fraction, optional exponent) and renders a
/// canonical form, so "1.50", "15e-1" and "+1.5" all become "1.5".
/// </summary>
internal static class DynamoNumber
{
    public const int MaxSignificantDigits = 38;
    public const int MaxScientificExponent = 125;
    public const int MinScientificExponent = -130;

    // Plain notation inside this scientific-exponent window, E notation outside it.
    private const int PlainMaxExponent = 40;
    private const int PlainMinExponent = -20;
    private const int FormatBufferLength = 128;
    private const int ExponentSaturation = 1_000_000;

    /// <summary>A parsed number: <c>±0.d1d2…dn × 10^(ScientificExponent+1)</c>, digits without leading/trailing zeros.</summary>
    internal ref struct Parsed
    {
        public bool Negative;
        public bool IsZero;
        public int ScientificExponent;
        public int DigitCount;
    }

    /// <summary>Validates and normalises <paramref name="text"/>; returns <paramref name="original"/> itself when it is already canonical.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, string? original, out string normalized, out string error)
    {
        Span<char> digits = stackalloc char[MaxSignificantDigits];
        if (!TryParse(text, digits, out var parsed, out error))
        {
            normalized = "";
            return false;
        }

        Span<char> buffer = stackalloc char[FormatBufferLength];
        var length = Format(parsed, digits, buffer);
        var result = buffer[..length];
        normalized = original is not null && result.SequenceEqual(original) ? original : new string(result);
        return true;
    }

    /// <summary>Same as <see cref="TryNormalize(ReadOnlySpan{char}, string?, out string, out string)"/> for ASCII (a JSON number token).</summary>
    public static bool TryNormalize(ReadOnlySpan<byte> ascii, out string normalized, out string error)
    {
        char[]? rented = null;
        var chars = ascii.Length <= 256 ? stackalloc char[ascii.Length] : (rented = ArrayPool<char>.Shared.Rent(ascii.Length)).AsSpan(0, ascii.Length);
        try
        {
            for (var i = 0; i < ascii.Length; i++)
            {
                chars[i] = (char)ascii[i];
            }

            return TryNormalize(chars, null, out normalized, out error);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Parses into sign, significant digits (written to <paramref name="digits"/>, at most 38) and exponent.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, Span<char> digits, out Parsed parsed, out string error)
    {
        parsed = default;
        error = "";
        var i = 0;
        if (text.IsEmpty)
        {
            error = "empty";
            return false;
        }

        if (text[0] is '-' or '+')
        {
            parsed.Negative = text[0] == '-';
            i++;
        }

        var count = 0;              // significant digits stored
        var pendingZeros = 0;       // zeros seen after a non-zero digit, not yet known to be significant
        var seenNonZero = false;
        var mantissaDigits = 0;
        var integerDigitsFromFirstNonZero = 0; // digits of the integer part starting at the first non-zero
        var leadingFractionZeros = 0;          // zeros in the fraction before the first non-zero (when integer part is zero)
        var inFraction = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (inFraction)
                {
                    error = "two decimal points";
                    return false;
                }

                inFraction = true;
                continue;
            }

            if (c is < '0' or > '9')
            {
                break;
            }

            mantissaDigits++;
            if (!seenNonZero)
            {
                if (c == '0')
                {
                    if (inFraction)
                    {
                        leadingFractionZeros++;
                    }

                    continue;
                }

                seenNonZero = true;
            }

            if (!inFraction)
            {
                integerDigitsFromFirstNonZero++;
            }

            if (c == '0')
            {
                pendingZeros++;
                continue;
            }

            if (count + pendingZeros + 1 > MaxSignificantDigits)
            {
                error = $"more than {MaxSignificantDigits} significant digits";
                return false;
            }

            for (; pendingZeros > 0; pendingZeros--)
            {
                digits[count++] = '0';
            }

            digits[count++] = c;
        }

        if (mantissaDigits == 0)
        {
            error = "no digits";
            return false;
        }

        long exponent = 0;
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            var negativeExponent = false;
            if (i < text.Length && text[i] is '-' or '+')
            {
                negativeExponent = text[i] == '-';
                i++;
            }

            var exponentDigits = 0;
            for (; i < text.Length && text[i] is >= '0' and <= '9'; i++)
            {
                exponentDigits++;
                exponent = Math.Min(exponent * 10 + (text[i] - '0'), ExponentSaturation);
            }

            if (exponentDigits == 0)
            {
                error = "exponent without digits";
                return false;
            }

            if (negativeExponent)
            {
                exponent = -exponent;
            }
        }

        if (i != text.Length)
        {
            error = $"unexpected character '{text[i]}'";
            return false;
        }

        if (!seenNonZero)
        {
            parsed.IsZero = true;
            parsed.Negative = false;
            return true;
        }

        long scientific = integerDigitsFromFirstNonZero > 0
            ? integerDigitsFromFirstNonZero - 1
            : -(leadingFractionZeros + 1);
        scientific += exponent;
        if (scientific > MaxScientificExponent)
        {
            error = $"magnitude above 9.9999999999999999999999999999999999999E+{MaxScientificExponent}";
            return false;
        }

        if (scientific < MinScientificExponent)
        {
            error = $"magnitude below 1E{MinScientificExponent}";
            return false;
        }

        parsed.ScientificExponent = (int)scientific;
        parsed.DigitCount = count;
        return true;
    }

    /// <summary>Writes the canonical text; returns its length (at most 128).</summary>
    private static int Format(in Parsed p, ReadOnlySpan<char> digits, Span<char> buffer)
    {
        if (p.IsZero)
        {
            buffer[0] = '0';
            return 1;
        }

        var n = p.DigitCount;
        var s = p.ScientificExponent;
        var pos = 0;
        if (p.Negative)
        {
            buffer[pos++] = '-';
        }

        if (s is >= 0 and <= PlainMaxExponent)
        {
            if (s >= n - 1)
            {
                digits[..n].CopyTo(buffer[pos..]);
                pos += n;
                buffer.Slice(pos, s - (n - 1)).Fill('0');
                pos += s - (n - 1);
            }
            else
            {
                digits[..(s + 1)].CopyTo(buffer[pos..]);
                pos += s + 1;
                buffer[pos++] = '.';
                digits[(s + 1)..n].CopyTo(buffer[pos..]);
                pos += n - (s + 1);
            }
        }
        else if (s is < 0 and >= PlainMinExponent)
        {
            buffer[pos++] = '0';
            buffer[pos++] = '.';
            buffer.Slice(pos, -s - 1).Fill('0');
            pos += -s - 1;
            digits[..n].CopyTo(buffer[pos..]);
            pos += n;
        }
        else
        {
            buffer[pos++] = digits[0];
            if (n > 1)
            {
                buffer[pos++] = '.';
                digits[1..n].CopyTo(buffer[pos..]);
                pos += n - 1;
            }

            buffer[pos++] = 'E';
            buffer[pos++] = s < 0 ? '-' : '+';
            Math.Abs(s).TryFormat(buffer[pos..], out var written, default, CultureInfo.InvariantCulture);
            pos += written;
        }

        return pos;
    }

    /// <summary>Compares two valid DynamoDB numbers by value (false when either does not parse).</summary>
    public static bool TryCompare(string left, string right, out int comparison)
    {
        Span<char> leftDigits = stackalloc char[MaxSignificantDigits];
        Span<char> rightDigits = stackalloc char[MaxSignificantDigits];
        comparison = 0;
        if (!TryParse(left, leftDigits, out var l, out _) || !TryParse(right, rightDigits, out var r, out _))
        {
            return false;
        }

        var ls = l.IsZero ? 0 : l.Negative ? -1 : 1;
        var rs = r.IsZero ? 0 : r.Negative ? -1 : 1;
        if (ls != rs || ls == 0)
        {
            comparison = ls.CompareTo(rs);
            return true;
        }

        var magnitude = l.ScientificExponent.CompareTo(r.ScientificExponent);
        if (magnitude == 0)
        {
            magnitude = leftDigits[..l.DigitCount].SequenceCompareTo(rightDigits[..r.DigitCount]);
        }

        comparison = ls * Math.Sign(magnitude);
        return true;
    }

    /// <summary>Significant digits of a number already in DynamoDB form, for the item-size estimate.</summary>
    public static int CountSignificantDigits(string number)
    {
        var count = 0;
        var pendingZeros = 0;
        var seenNonZero = false;
        foreach (var c in number)
        {
            if (c is 'e' or 'E')
            {
                break;
            }

            if (c is < '0' or > '9')
            {
                continue;
            }

            if (c == '0')
            {
                if (seenNonZero)
                {
                    pendingZeros++;
                }

                continue;
            }

            seenNonZero = true;
            count += pendingZeros + 1;
            pendingZeros = 0;
        }

        return Math.Max(count, 1);
    }
}
