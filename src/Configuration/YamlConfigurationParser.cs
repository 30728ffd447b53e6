using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
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
        var parser = new PositionTrackingParser(new Parser(reader));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw SyntaxError(sourceName, ex.Start, Describe(ex));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException or KeyNotFoundException)
        {
            // YamlDotNet throws these without a position for some malformed input (an unclosed '{'
            // spanning lines, a stray tag or alias); the end of the last good event is the best position
            // left, and the user must still get the one formatted message rather than a stack trace.
            throw SyntaxError(sourceName, parser.LastGood, "cannot parse what follows this position (an unclosed '{' or '[', or a stray '!', '&' or '*'?)");
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

        Visit(root, "", root.Start, data, sourceName);
        return data;
    }

    /// <param name="mark">Where the key (or sequence item) starts, for duplicate-key errors.</param>
    private static void Visit(YamlNode node, string path, Mark mark, Dictionary<string, string?> data, string sourceName)
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

                    Visit(value, path.Length == 0 ? key : ConfigurationPath.Combine(path, key), keyNode.Start, data, sourceName);
                }

                break;

            case YamlSequenceNode sequence:
                if (sequence.Children.Count == 0)
                {
                    // "streams: []" is an explicit empty list; "" lets the binder tell it from "not set".
                    Set(data, path, "", mark, sourceName);
                }

                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    Visit(item, ConfigurationPath.Combine(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), item.Start, data, sourceName);
                }

                break;

            case YamlScalarNode scalar:
                Set(data, path, IsNull(scalar) ? "" : scalar.Value ?? "", mark, sourceName);
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

    /// <summary>Remembers where the last successfully parsed event ended.</summary>
    private sealed class PositionTrackingParser(IParser inner) : IParser
    {
        public Mark LastGood { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (inner.Current is { } current)
            {
                LastGood = current.End;
            }

            return moved;
        }
    }
}
