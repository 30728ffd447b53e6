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

    public static bool IsOptionsClass(Type type) =>
        type.IsClass && !IsScalar(type) && !IsStringList(type) && !IsStringDictionary(type)
        && type.GetConstructor(Type.EmptyTypes) is not null;
}
