using System.Buffers;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;

namespace DynamoWriter.Grains.DynamoDb;

public sealed partial class ItemMapper
{
    /// <summary>
    /// DynamoDB nests at most 32 levels with the item itself as the first, so an attribute holds at most 31
    /// nested lists/maps (DynamoDB Local 1.25.1 rejects 32 with "Nesting Levels have exceeded supported limits").
    /// </summary>
    internal const int MaxNestingDepth = 31;

    // Above MaxNestingDepth, so deep documents are reported as NestingTooDeep before the reader gives up.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256, CommentHandling = JsonCommentHandling.Disallow };

    private readonly record struct ParsedPayload(Dictionary<string, AttributeValue>? Item, MapResult? Failure);

    /// <summary>
    /// Reads the payload field as a JSON object straight into attribute values. Top-level key attributes
    /// keep JSON numbers as their text, so the key conversion decides what they become.
    /// </summary>
    private ParsedPayload ParseJson(StreamEntry entry, TableKeySchema schema)
    {
        var payload = entry.GetField(_payloadField);
        if (payload is null)
        {
            return new(null, MapResult.Failure(EntryErrorKind.MissingPayload, $"entry has no '{_payloadField}' field holding the JSON object"));
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(payload.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(payload, rented);
            var reader = new Utf8JsonReader(rented.AsSpan(0, length), ReaderOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var kind = reader.TokenType;
                reader.Skip();
                ReadToEnd(ref reader);
                return new(null, MapResult.Failure(EntryErrorKind.PayloadNotObject, $"payload is a JSON {Describe(kind)}, not an object"));
            }

            var item = new Dictionary<string, AttributeValue>();
            MapResult failure = default;
            if (!ReadObject(ref reader, schema, item, "", ref failure))
            {
                return new(null, failure);
            }

            ReadToEnd(ref reader);
            return new(item, null);
        }
        catch (JsonException e)
        {
            return new(null, MapResult.Failure(EntryErrorKind.MalformedJson, $"payload is not valid JSON: {e.Message}"));
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString() throws this, not a JsonException, for an escaped lone surrogate ("\ud800").
            return new(null, MapResult.Failure(EntryErrorKind.MalformedJson, $"payload is not valid JSON: {e.Message}"));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Throws <see cref="JsonException"/> when anything but whitespace follows the document.</summary>
    private static void ReadToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    /// <summary>Reader on StartObject; returns on its EndObject. <paramref name="topLevel"/> is set for the item itself.</summary>
    private static bool ReadObject(ref Utf8JsonReader reader, TableKeySchema? topLevel, Dictionary<string, AttributeValue> target, string attribute, ref MapResult failure)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            AttributeValue value;
            if (topLevel is not null && reader.TokenType == JsonTokenType.Number && topLevel.IsKey(name))
            {
                value = new AttributeValue { S = Encoding.UTF8.GetString(reader.ValueSpan) };
            }
            else if (!ReadValue(ref reader, topLevel is not null ? name : attribute, out value, ref failure))
            {
                return false;
            }

            target[name] = value;
        }

        return true;
    }

    private static bool ReadValue(ref Utf8JsonReader reader, string attribute, out AttributeValue value, ref MapResult failure)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = new AttributeValue { S = reader.GetString() };
                return true;
            case JsonTokenType.Number:
                if (!DynamoNumber.TryNormalize(reader.ValueSpan, out var n, out var why))
                {
                    failure = MapResult.Failure(
                        EntryErrorKind.InvalidNumber,
                        $"attribute '{attribute}': {Quote(Encoding.UTF8.GetString(reader.ValueSpan))} is not a valid DynamoDB number ({why})");
                    value = null!;
                    return false;
                }

                value = new AttributeValue { N = n };
                return true;
            case JsonTokenType.True:
            case JsonTokenType.False:
                value = new AttributeValue { BOOL = reader.TokenType == JsonTokenType.True };
                return true;
            case JsonTokenType.Null:
                value = new AttributeValue { NULL = true };
                return true;
            case JsonTokenType.StartObject:
            {
                if (!CheckDepth(ref reader, attribute, ref failure))
                {
                    value = null!;
                    return false;
                }

                var map = new Dictionary<string, AttributeValue>();
                if (!ReadObject(ref reader, null, map, attribute, ref failure))
                {
                    value = null!;
                    return false;
                }

                value = new AttributeValue { M = map };
                return true;
            }

            case JsonTokenType.StartArray:
            {
                if (!CheckDepth(ref reader, attribute, ref failure))
                {
                    value = null!;
                    return false;
                }

                var list = new List<AttributeValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!ReadValue(ref reader, attribute, out var element, ref failure))
                    {
                        value = null!;
                        return false;
                    }

                    list.Add(element);
                }

                value = new AttributeValue { L = list };
                return true;
            }

            default:
                throw new JsonException($"unexpected token {reader.TokenType}");
        }
    }

    private static bool CheckDepth(ref Utf8JsonReader reader, string attribute, ref MapResult failure)
    {
        if (reader.CurrentDepth <= MaxNestingDepth)
        {
            return true;
        }

        failure = MapResult.Failure(
            EntryErrorKind.NestingTooDeep,
            $"attribute '{attribute}' nests more than {MaxNestingDepth} lists/objects (DynamoDB's limit: 32 levels, the item being the first)");
        return false;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
