using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DynamoWriter.Configuration;

/// <summary>
/// Flattens a YAML document into IConfiguration keys: <c>sc: { stream: { block: 2s } }</c> becomes
/// <c>sc:stream:block = 2s</c>; sequence items become children <c>0</c>, <c>1</c>, ….
/// </summary>
public static class YamlConfigurationParser
{
    /// <param name="sourceName">The file name, quoted in syntax errors.</param>
    /// <exception cref="ConfigurationException">The YAML is malformed; the error names file, line and column.</exception>
    public static IDictionary<string, string?> Parse(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw SyntaxError(sourceName, ex.Start, Describe(ex));
        }

        // An empty file has no document: it configures nothing, like an empty JSON object.
        if (stream.Documents.Count == 0)
        {
            return data;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw SyntaxError(sourceName, second, "only one YAML document is allowed (remove the second '---')");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode scalar && IsNull(scalar))
        {
            return data;
        }

        if (root is not YamlMappingNode)
        {
            throw SyntaxError(sourceName, root.Start, "the top level must be a mapping such as 'sc:'");
        }

        Visit(root, "", data, sourceName);
        return data;
    }

    private static void Visit(YamlNode node, string path, Dictionary<string, string?> data, string sourceName)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                // An empty mapping ("tables: {}") adds no key, so it never overrides anything.
                foreach (var (keyNode, value) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                    {
                        throw SyntaxError(sourceName, keyNode.Start, "a key must be a plain, non-empty value");
                    }

                    Visit(value, path.Length == 0 ? key : ConfigurationPath.Combine(path, key), data, sourceName);
                }

                break;

            case YamlSequenceNode sequence:
                if (sequence.Children.Count == 0)
                {
                    // "streams: []" is an explicit empty list; "" lets the binder tell it from "not set".
                    Set(data, path, "", sequence.Start, sourceName);
                }

                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Visit(sequence.Children[i], ConfigurationPath.Combine(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data, sourceName);
                }

                break;

            case YamlScalarNode scalar:
                Set(data, path, IsNull(scalar) ? "" : scalar.Value ?? "", scalar.Start, sourceName);
                break;

            default:
                throw SyntaxError(sourceName, node.Start, $"unsupported YAML node {node.NodeType}");
        }
    }

    private static void Set(Dictionary<string, string?> data, string path, string value, Mark mark, string sourceName)
    {
        // IConfiguration is case-insensitive: "batchSize" and "batchsize" in one file are the same key,
        // and silently keeping the last one would hide a mistake.
        if (!data.TryAdd(path, value))
        {
            throw SyntaxError(sourceName, mark, $"duplicate key '{path.Replace(':', '.')}' (keys are case-insensitive)");
        }
    }

    /// <summary>Plain <c>~</c>, <c>null</c> or nothing; a quoted <c>"null"</c> is the string.</summary>
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Describe(YamlException ex)
    {
        // YamlDotNet prefixes its message with "(Line: 3, Col: 5, Idx: ..) - (...): "; the position is
        // reported separately, so keep only the explanation.
        var message = ex.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
        {
            message = message[(cut + 3)..];
        }

        return ex.InnerException is YamlException inner && message.Length == 0 ? Describe(inner) : message;
    }

    private static ConfigurationException SyntaxError(string sourceName, Mark mark, string message) =>
        new([new ConfigError($"{sourceName}:{mark.Line}:{mark.Column}", $"YAML syntax error: {message}")]);
}
