using System.Globalization;
using System.Numerics;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration;

/// <summary>
/// Binds configuration onto options objects. The stock <c>ConfigurationBinder</c> cannot read Go
/// durations, appends to default lists instead of replacing them, ignores unknown keys and stops at
/// the first bad value; this one reports every problem with its key path and binds the rest.
/// </summary>
public static class OptionsBinder
{
    /// <summary>
    /// Binds <paramref name="section"/> (the <c>sc</c> section) onto <paramref name="target"/>. Values
    /// that do not convert leave the property at its current value and become errors; nothing throws
    /// for bad input.
    /// </summary>
    /// <param name="keyPath">The key path of <paramref name="section"/>, used to prefix error paths.</param>
    public static IReadOnlyList<ConfigError> Bind(IConfiguration section, object target, string keyPath = "sc")
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        var errors = new List<ConfigError>();
        BindObject(section, target, keyPath, errors);
        return errors;
    }

    private static void BindObject(IConfiguration config, object target, string keyPath, List<ConfigError> errors)
    {
        var properties = OptionsSchema.Properties(target.GetType());
        var children = config.GetChildren().ToList();

        // Schema order, not the alphabetical order IConfiguration returns, so errors read like the
        // file; unknown keys come last in each section.
        foreach (var property in properties)
        {
            // IConfiguration keys are case-insensitive (SC_ variables arrive upper-case, then lowered).
            var child = children.FirstOrDefault(c => string.Equals(c.Key, property.Name, StringComparison.OrdinalIgnoreCase));
            if (child is not null)
            {
                BindProperty(child, target, property, OptionsSchema.Child(keyPath, OptionsSchema.KeyName(property)), errors);
            }
        }

        foreach (var child in children)
        {
            if (!properties.Any(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(new ConfigError(OptionsSchema.Child(keyPath, child.Key), UnknownKeyMessage(child.Key, properties)));
            }
        }
    }

    private static void BindProperty(IConfigurationSection child, object target, PropertyInfo property, string keyPath, List<ConfigError> errors)
    {
        var type = property.PropertyType;
        var hasChildren = child.GetChildren().Any();
        if (OptionsSchema.IsScalar(type))
        {
            if (hasChildren)
            {
                errors.Add(new ConfigError(keyPath, "expected a single value, not a list or a section"));
                return;
            }

            // An empty value means "not set" for everything but strings: the Go service (viper) ignored
            // empty environment variables and YAML nulls, so they keep the default here too.
            if (child.Value is null || (child.Value.Length == 0 && type != typeof(string)))
            {
                return;
            }

            if (TryConvert(child.Value, type, out var converted, out var message))
            {
                property.SetValue(target, converted);
            }
            else
            {
                errors.Add(new ConfigError(keyPath, message));
            }
        }
        else if (OptionsSchema.IsStringList(type))
        {
            if (BindList(child, hasChildren, keyPath, errors) is { } list)
            {
                property.SetValue(target, list);
            }
        }
        else if (OptionsSchema.IsStringDictionary(type))
        {
            if (!hasChildren)
            {
                if (!string.IsNullOrEmpty(child.Value))
                {
                    errors.Add(new ConfigError(keyPath, $"'{child.Value}' is a single value; expected one entry per key, such as {keyPath}.orders: orders-table"));
                }

                return;
            }

            // Fill the existing dictionary so the comparer the options class chose is kept.
            var dictionary = property.GetValue(target) as Dictionary<string, string> ?? new Dictionary<string, string>(StringComparer.Ordinal);
            BindDictionary(child, "", dictionary);
            property.SetValue(target, dictionary);
        }
        else if (OptionsSchema.IsOptionsClass(type))
        {
            if (!hasChildren)
            {
                if (!string.IsNullOrEmpty(child.Value))
                {
                    var keys = string.Join(", ", OptionsSchema.Properties(type).Select(OptionsSchema.KeyName));
                    errors.Add(new ConfigError(keyPath, $"'{child.Value}' is a single value; expected a section with keys {keys}"));
                }

                // A YAML null ("log:") or an empty mapping leaves the defaults alone.
                return;
            }

            var nested = property.GetValue(target) ?? Activator.CreateInstance(type)!;
            BindObject(child, nested, keyPath, errors);
            property.SetValue(target, nested);
        }
        else
        {
            // A programming error in the options classes, not a user mistake: fail loudly in tests.
            throw new NotSupportedException($"OptionsBinder cannot bind {property.DeclaringType?.Name}.{property.Name} of type {type}.");
        }
    }

    /// <summary>
    /// A list comes either as YAML children (<c>0</c>, <c>1</c>, …) or as one comma-separated value
    /// (an <c>SC_</c> environment variable). The list replaces the default instead of appending to it.
    /// </summary>
    private static List<string>? BindList(IConfigurationSection child, bool hasChildren, string keyPath, List<ConfigError> errors)
    {
        // When both exist, the single value can only come from the environment (a YAML sequence never
        // has a value of its own), and the environment overrides the file.
        if (!string.IsNullOrEmpty(child.Value))
        {
            return child.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }

        if (!hasChildren)
        {
            // The YAML source writes "" for an empty sequence ("streams: []"), so an explicit empty list
            // reaches the validator instead of silently keeping the default.
            return child.Value is null ? null : [];
        }

        var items = new List<(int Index, string Value)>();
        var ok = true;
        foreach (var item in child.GetChildren())
        {
            if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                errors.Add(new ConfigError(OptionsSchema.Child(keyPath, item.Key), "expected a list of values, not a section with keys"));
                ok = false;
            }
            else if (item.GetChildren().Any())
            {
                errors.Add(new ConfigError($"{keyPath}[{index}]", "expected a single value, not a list or a section"));
                ok = false;
            }
            else
            {
                items.Add((index, item.Value ?? ""));
            }
        }

        return ok ? items.OrderBy(i => i.Index).Select(i => i.Value).ToList() : null;
    }

    /// <summary>
    /// Every value below the section is an entry. Keys are the relative paths, so a stream name with a
    /// colon (<c>orders:eu</c>), which IConfiguration splits into levels, comes back whole.
    /// </summary>
    private static void BindDictionary(IConfigurationSection section, string prefix, Dictionary<string, string> dictionary)
    {
        foreach (var child in section.GetChildren())
        {
            var key = prefix + child.Key;
            if (child.Value is not null)
            {
                dictionary[key] = child.Value;
            }

            BindDictionary(child, key + ":", dictionary);
        }
    }

    /// <summary>Converts one scalar; <paramref name="message"/> quotes the value for the user.</summary>
    internal static bool TryConvert(string value, Type type, out object? result, out string message)
    {
        result = null;
        message = "";
        var text = value.Trim();
        if (type == typeof(string))
        {
            result = value;
            return true;
        }

        if (type == typeof(int) || type == typeof(long))
        {
            if (BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
            {
                var (min, max) = type == typeof(int) ? ((BigInteger)int.MinValue, (BigInteger)int.MaxValue) : (long.MinValue, long.MaxValue);
                if (big < min || big > max)
                {
                    message = $"'{value}' is out of range ({min} to {max})";
                    return false;
                }

                result = type == typeof(int) ? (object)(int)big : (long)big;
                return true;
            }

            message = $"'{value}' is not a whole number";
            return false;
        }

        if (type == typeof(bool))
        {
            // The spellings Go's strconv.ParseBool accepts, which is what the Go service read.
            switch (text.ToUpperInvariant())
            {
                case "TRUE" or "T" or "1":
                    result = true;
                    return true;
                case "FALSE" or "F" or "0":
                    result = false;
                    return true;
                default:
                    message = $"'{value}' is not true or false";
                    return false;
            }
        }

        if (type == typeof(double))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                result = number;
                return true;
            }

            message = $"'{value}' is not a number";
            return false;
        }

        if (type == typeof(TimeSpan))
        {
            if (GoDuration.TryParse(value, out var duration, out var error))
            {
                result = duration;
                return true;
            }

            message = error;
            return false;
        }

        if (type.IsEnum)
        {
            return TryParseEnum(text, value, type, out result, out message);
        }

        throw new NotSupportedException($"OptionsBinder cannot convert to {type}.");
    }

    /// <summary>
    /// Case-insensitive, accepting kebab-case (<c>skip-existing</c>) as well as <c>SkipExisting</c>
    /// and <c>skip_existing</c>. Numbers are refused: <c>writePolicy: 1</c> is a mistake, not a choice.
    /// </summary>
    private static bool TryParseEnum(string text, string value, Type type, out object? result, out string message)
    {
        var wanted = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        foreach (var name in Enum.GetNames(type))
        {
            if (string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase))
            {
                result = Enum.Parse(type, name);
                message = "";
                return true;
            }
        }

        result = null;
        message = $"'{value}' is not one of {string.Join(", ", Enum.GetNames(type).Select(OptionsSchema.KebabCase))}";
        return false;
    }

    private static string UnknownKeyMessage(string key, IReadOnlyList<PropertyInfo> properties)
    {
        // A near miss is almost always a typo; otherwise list what is allowed here.
        return OptionsSchema.ClosestKey(key, properties) is { } best
            ? $"unknown key (did you mean {best}?)"
            : $"unknown key; expected one of {string.Join(", ", properties.Select(OptionsSchema.KeyName))}";
    }
}
