namespace DynamoWriter.Pipeline.Nodes;

/// <summary>
/// Which keys are streams to consume: literal names as configured, glob patterns (<c>orders:*</c>)
/// matched against existing keys, and never a dead-letter stream.
/// </summary>
public static class StreamNames
{
    public static bool IsPattern(string name) => name.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>True when <paramref name="key"/> is a dead-letter stream by <paramref name="template"/> (e.g. <c>{stream}:dlq</c>).</summary>
    public static bool IsDeadLetter(string key, string template)
    {
        var at = template.IndexOf("{stream}", StringComparison.Ordinal);
        if (at < 0)
        {
            return string.Equals(key, template, StringComparison.Ordinal);
        }

        var prefix = template[..at];
        var suffix = template[(at + "{stream}".Length)..];
        return key.Length > prefix.Length + suffix.Length
            && key.StartsWith(prefix, StringComparison.Ordinal)
            && key.EndsWith(suffix, StringComparison.Ordinal);
    }

    /// <summary>Redis-style glob match (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, <c>[^a]</c>, <c>\</c> escapes).</summary>
    public static bool GlobMatches(string pattern, string key) => Match(pattern.AsSpan(), key.AsSpan());

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> s)
    {
        while (p.Length > 0)
        {
            switch (p[0])
            {
                case '*':
                    while (p.Length > 1 && p[1] == '*')
                    {
                        p = p[1..];
                    }

                    if (p.Length == 1)
                    {
                        return true;
                    }

                    for (var i = 0; i <= s.Length; i++)
                    {
                        if (Match(p[1..], s[i..]))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (s.Length == 0)
                    {
                        return false;
                    }

                    break;
                case '[':
                    if (s.Length == 0 || !MatchClass(ref p, s[0]))
                    {
                        return false;
                    }

                    s = s[1..];
                    continue;
                case '\\' when p.Length > 1:
                    p = p[1..];
                    if (s.Length == 0 || s[0] != p[0])
                    {
                        return false;
                    }

                    break;
                default:
                    if (s.Length == 0 || s[0] != p[0])
                    {
                        return false;
                    }

                    break;
            }

            p = p[1..];
            s = s[1..];
        }

        return s.Length == 0;
    }

    /// <summary>Matches one character against a [...] class and moves <paramref name="p"/> past it.</summary>
    private static bool MatchClass(ref ReadOnlySpan<char> p, char c)
    {
        var i = 1;
        var negate = i < p.Length && p[i] == '^';
        if (negate)
        {
            i++;
        }

        var matched = false;
        while (i < p.Length && p[i] != ']')
        {
            if (p[i] == '\\' && i + 1 < p.Length)
            {
                i++;
                matched |= p[i] == c;
            }
            else if (i + 2 < p.Length && p[i + 1] == '-' && p[i + 2] != ']')
            {
                var (lo, hi) = p[i] <= p[i + 2] ? (p[i], p[i + 2]) : (p[i + 2], p[i]);
                matched |= c >= lo && c <= hi;
                i += 2;
            }
            else
            {
                matched |= p[i] == c;
            }

            i++;
        }

        p = i < p.Length ? p[(i + 1)..] : [];
        return matched != negate;
    }
}
