namespace DynamoWriter.Streaming.Redis.Storage;

/// <summary>
/// Which keys are streams to consume: literal names as configured, glob patterns (<c>orders:*</c>) matched
/// against existing keys, and never a dead-letter stream. Shared by the provider, status and maintenance.
/// </summary>
public static class StreamKeys
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
}
