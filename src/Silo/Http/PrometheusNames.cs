using System.Globalization;
using System.Text;

namespace DynamoWriter.Silo.Http;

/// <summary>
/// OpenTelemetry → Prometheus naming and text-format escaping: <c>dynamowriter.dynamodb.request.duration</c>
/// with unit <c>s</c> becomes <c>dynamowriter_dynamodb_request_duration_seconds</c>; annotation units
/// such as <c>{entry}</c> are dropped; counters end in <c>_total</c>.
/// </summary>
internal static class PrometheusNames
{
    /// <summary>The OpenTelemetry specification's unit → Prometheus unit table (the common part of it).</summary>
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["%"] = "percent",
        ["Hz"] = "hertz",
    };

    /// <summary>The metric family name: sanitised instrument name, then the unit, then <c>_total</c> for counters.</summary>
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var suffix = UnitSuffix(unit, isCounter);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    /// <summary>The Prometheus form of an OpenTelemetry unit; empty when it adds nothing (<c>{entry}</c>, <c>1</c> on counters).</summary>
    public static string UnitSuffix(string? unit, bool isCounter)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return "";
        }

        // Annotations in braces are for humans only: "{entry}", "By{packet}" → "bytes".
        var text = StripAnnotations(unit).Trim();
        if (text.Length == 0)
        {
            return "";
        }

        if (text == "1")
        {
            return isCounter ? "" : "ratio";
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < text.Length - 1)
        {
            var per = text[(slash + 1)..];
            var perName = per switch { "s" => "second", "m" => "minute", "h" => "hour", "d" => "day", _ => Units.GetValueOrDefault(per, per) };
            return Sanitize($"{Units.GetValueOrDefault(text[..slash], text[..slash])}_per_{perName}", allowColon: false);
        }

        return Sanitize(Units.GetValueOrDefault(text, text), allowColon: false);
    }

    /// <summary>A label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, every other character an underscore.</summary>
    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append(@"\n"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Escapes HELP text: backslash and line feed (double quotes stay as they are).</summary>
    public static string EscapeHelp(string help) =>
        help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>A sample value: shortest round-trip form, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string StripAnnotations(string unit)
    {
        var sb = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' || (allowColon && c == ':');
            var next = ok ? c : '_';
            // Collapse runs of underscores ("a..b" → "a_b"), as the OpenTelemetry exporter does.
            if (next == '_' && sb.Length > 0 && sb[^1] == '_')
            {
                continue;
            }

            sb.Append(next);
        }

        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }
}
