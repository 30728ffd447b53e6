using System.Collections;
using System.Globalization;
using System.Reflection;
using DynamoWriter.Options;

namespace DynamoWriter.Configuration;

/// <summary>
/// The effective options as <c>key = value</c> lines, logged once at start so an operator can see
/// what the service really runs with. Secrets are masked.
/// </summary>
public static class OptionsDescriber
{
    public const string Mask = "***";

    /// <summary>
    /// One line per setting in schema order, e.g. <c>sc.stream.block = 2s</c>. Durations are in Go style,
    /// enums in kebab-case, lists as <c>[a, b]</c>, map entries one per line.
    /// </summary>
    public static IReadOnlyList<string> Describe(DynamoWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lines = new List<string>();
        DescribeObject(options, DynamoWriterOptions.SectionName, lines);
        return lines;
    }

    /// <summary>
    /// Found by name so a secret added later is masked without anyone remembering this class. User
    /// names are not secret and stay visible: they help diagnose authentication failures.
    /// </summary>
    internal static bool IsSecret(PropertyInfo property) =>
        property.Name.Contains("Password", StringComparison.OrdinalIgnoreCase)
        || property.Name.Contains("Secret", StringComparison.OrdinalIgnoreCase)
        || property.Name.Contains("Token", StringComparison.OrdinalIgnoreCase);

    private static void DescribeObject(object target, string keyPath, List<string> lines)
    {
        foreach (var property in OptionsSchema.Properties(target.GetType()))
        {
            var key = OptionsSchema.Child(keyPath, OptionsSchema.KeyName(property));
            var value = property.GetValue(target);
            var type = property.PropertyType;
            if (IsSecret(property))
            {
                lines.Add($"{key} = {(string.IsNullOrEmpty(value as string) ? "" : Mask)}");
            }
            else if (OptionsSchema.IsScalar(type))
            {
                lines.Add($"{key} = {FormatScalar(value)}");
            }
            else if (OptionsSchema.IsStringList(type))
            {
                lines.Add($"{key} = [{string.Join(", ", (IEnumerable<string>?)value ?? [])}]");
            }
            else if (value is IDictionary<string, string> dictionary)
            {
                if (dictionary.Count == 0)
                {
                    lines.Add($"{key} = {{}}");
                }

                foreach (var (entryKey, entryValue) in dictionary.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    lines.Add($"{key}.{entryKey} = {entryValue}");
                }
            }
            else if (value is not null and not IEnumerable)
            {
                DescribeObject(value, key, lines);
            }
        }
    }

    private static string FormatScalar(object? value) => value switch
    {
        null => "",
        TimeSpan duration => GoDuration.Format(duration),
        bool flag => flag ? "true" : "false",
        Enum e => OptionsSchema.KebabCase(e.ToString()),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
