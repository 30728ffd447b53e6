using System.Collections.Concurrent;
using System.Reflection;

namespace DynamoWriter.Configuration;

/// <summary>
/// What the binder and the describer both need to know about an options type: its settable
/// properties and their names in the user's spelling (camelCase, as in the YAML file).
/// </summary>
internal static class OptionsSchema
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<PropertyInfo>> Cache = new();

    /// <summary>
    /// Public, readable and publicly settable instance properties. Read-only and computed ones (such as
    /// <c>StreamOptions.EffectiveServer</c>) are not configuration, so a key naming them is unknown.
    /// </summary>
    public static IReadOnlyList<PropertyInfo> Properties(Type type) =>
        Cache.GetOrAdd(type, static t => t
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .ToArray());

    /// <summary><c>DynamoDB</c> → <c>dynamoDB</c>, <c>TableName</c> → <c>tableName</c>.</summary>
    public static string KeyName(PropertyInfo property) => CamelCase(property.Name);

    public static string CamelCase(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : string.Concat(char.ToLowerInvariant(name[0]).ToString(), name.AsSpan(1));

    public static string Child(string keyPath, string key) => keyPath.Length == 0 ? key : $"{keyPath}.{key}";

    /// <summary><c>SkipExisting</c> → <c>skip-existing</c>: the spelling the YAML file and the Go service use.</summary>
    public static string KebabCase(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('-');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }

    public static bool IsStringList(Type type) => type == typeof(List<string>);

    public static bool IsStringDictionary(Type type) => type == typeof(Dictionary<string, string>);

    public static bool IsScalar(Type type) =>
        type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(bool)
        || type == typeof(double) || type == typeof(TimeSpan) || type.IsEnum;

    /// <summary>
    /// Whether a configuration path (its levels below the root type, such as <c>stream</c>, <c>redis</c>,
    /// <c>address</c>) names something the binder reads: a property, a list item (<c>streams:0</c>), or
    /// any entry under a map. A section given a value (<c>stream=x</c>) counts as known: the binder reports
    /// that mistake itself. When unknown, <paramref name="unknownLevel"/> is the first level that matched nothing.
    /// </summary>
    public static bool IsKnownPath(Type root, IReadOnlyList<string> levels, out int unknownLevel, out IReadOnlyList<PropertyInfo> candidates)
    {
        var type = root;
        for (var i = 0; i < levels.Count; i++)
        {
            candidates = Properties(type);
            var property = candidates.FirstOrDefault(p => string.Equals(p.Name, levels[i], StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                unknownLevel = i;
                return false;
            }

            var rest = levels.Count - i - 1;
            var propertyType = property.PropertyType;
            if (IsStringDictionary(propertyType))
            {
                break;
            }

            if (IsStringList(propertyType) || IsScalar(propertyType))
            {
                var ok = rest == 0
                    || (rest == 1 && IsStringList(propertyType) && levels[i + 1].All(char.IsAsciiDigit));
                unknownLevel = ok ? -1 : i + 1;
                candidates = [];
                return ok;
            }

            type = propertyType;
        }

        unknownLevel = -1;
        candidates = [];
        return true;
    }

    /// <summary>The key name closest to <paramref name="key"/> when it is near enough to be a typo, else null.</summary>
    public static string? ClosestKey(string key, IReadOnlyList<PropertyInfo> properties)
    {
        var best = properties.Select(KeyName)
            .Select(n => (Name: n, Distance: Distance(key.ToLowerInvariant(), n.ToLowerInvariant())))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(1, best.Name.Length / 3) ? best.Name : null;
    }

    /// <summary>Levenshtein distance, for the "did you mean" hint.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    public static bool IsOptionsClass(Type type) =>
        type.IsClass && !IsScalar(type) && !IsStringList(type) && !IsStringDictionary(type)
        && type.GetConstructor(Type.EmptyTypes) is not null;
}
