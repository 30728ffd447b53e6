using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// Turns stream entries into DynamoDB items (<c>fields</c> or <c>json</c> format), converting key attributes
/// to the table's key types and adding the version attribute for newer-wins. Stateless and thread-safe;
/// on the hot path, so it allocates little beyond the item itself.
/// </summary>
public sealed partial class ItemMapper
{
    /// <summary>Values quoted in error messages are cut to this many characters.</summary>
    internal const int MaxQuotedLength = 100;

    private readonly MappingFormat _format;
    private readonly string _payloadField;
    private readonly bool _addVersion;
    private readonly string _versionField;
    private readonly string _versionAttribute;
    private readonly string _operationField;

    public ItemMapper(MappingOptions mapping, DynamoDbOptions dynamo)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(dynamo);
        _format = mapping.Format;
        _payloadField = string.IsNullOrEmpty(mapping.PayloadField) ? MappingOptions.DefaultPayloadField : mapping.PayloadField;
        _addVersion = dynamo.WritePolicy == WritePolicy.NewerWins;
        _versionField = dynamo.VersionField ?? "";
        _versionAttribute = dynamo.EffectiveVersionAttribute;
        _operationField = mapping.OperationField ?? "";
    }

    /// <summary>Maps one entry for a table with <paramref name="schema"/>. Never throws for bad entries.</summary>
    public MapResult Map(StreamEntry entry, TableKeySchema schema)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(schema);
        if (!TryReadOperation(entry, out var operation, out var operationFailure))
        {
            return operationFailure;
        }

        Dictionary<string, AttributeValue> item;
        if (_format == MappingFormat.Json)
        {
            var parsed = ParseJson(entry, schema);
            if (parsed.Failure is { } failure)
            {
                return ForOperation(operation, failure);
            }

            item = parsed.Item!;
            if (_operationField.Length > 0)
            {
                item.Remove(_operationField);
            }
        }
        else
        {
            var fields = entry.Fields;
            item = new Dictionary<string, AttributeValue>(fields.Count + (_addVersion ? 1 : 0));
            for (var i = 0; i < fields.Count; i++)
            {
                var f = fields[i];
                if (_operationField.Length == 0 || !string.Equals(f.Name, _operationField, StringComparison.Ordinal))
                {
                    item[f.Name] = new AttributeValue { S = f.Value };
                }
            }
        }

        if (!TryConvertKey(item, schema.Hash, out var hashText, out var keyFailure))
        {
            return ForOperation(operation, keyFailure);
        }

        string? rangeText = null;
        if (schema.Range is not null && !TryConvertKey(item, schema.Range, out rangeText, out keyFailure))
        {
            return ForOperation(operation, keyFailure);
        }

        if (_addVersion && !TryAddVersion(entry, item, out var versionFailure))
        {
            return versionFailure;
        }

        var keyText = KeyText.Combine(hashText, rangeText);
        if (operation == WriteOperation.Delete)
        {
            return MapResult.Success(Tombstone(entry, item, schema, keyText));
        }

        if (ItemSize.UpperBound(item) <= ItemSize.MaxItemBytes)
        {
            return MapResult.Success(new WriteItem(entry, item, keyText));
        }

        var size = ItemSize.Estimate(item);
        if (size > ItemSize.MaxItemBytes)
        {
            return MapResult.Failure(
                EntryErrorKind.ItemTooLarge,
                $"item is {size} bytes, over DynamoDB's limit of {ItemSize.MaxItemBytes} bytes (400 KB, attribute names included)");
        }

        return MapResult.Success(new WriteItem(entry, item, keyText, (int)size));
    }

    /// <summary>Converts the key attribute, held as S (entry field, JSON string or JSON number text), to the key type.</summary>
    internal static bool TryConvertKey(Dictionary<string, AttributeValue> item, KeyAttribute key, out string keyText, out MapResult failure)
    {
        keyText = "";
        failure = default;
        if (!item.TryGetValue(key.Name, out var value))
        {
            failure = MapResult.Failure(EntryErrorKind.MissingKey, $"key attribute '{key.Name}' is missing");
            return false;
        }

        var s = value.S;
        if (s is null)
        {
            failure = MapResult.Failure(
                EntryErrorKind.KeyTypeMismatch,
                $"key attribute '{key.Name}' must be {Describe(key.Type)} but is {DescribeNonString(value)}");
            return false;
        }

        if (s.Length == 0)
        {
            failure = MapResult.Failure(EntryErrorKind.EmptyKey, $"key attribute '{key.Name}' is empty");
            return false;
        }

        if (key.Type == ScalarAttributeType.N)
        {
            if (!DynamoNumber.TryNormalize(s, s, out var n, out var why))
            {
                failure = MapResult.Failure(
                    EntryErrorKind.KeyTypeMismatch,
                    $"key attribute '{key.Name}' must be {Describe(key.Type)} but is '{Quote(s)}' ({why})");
                return false;
            }

            item[key.Name] = new AttributeValue { N = n };
            keyText = n;
            return true;
        }

        if (key.Type == ScalarAttributeType.B)
        {
            var bytes = new byte[((s.Length + 3) / 4) * 3];
            if (!Convert.TryFromBase64String(s, bytes, out var written))
            {
                failure = MapResult.Failure(
                    EntryErrorKind.KeyTypeMismatch,
                    $"key attribute '{key.Name}' must be {Describe(key.Type)} but is '{Quote(s)}' (not base64)");
                return false;
            }

            if (written == 0)
            {
                failure = MapResult.Failure(EntryErrorKind.EmptyKey, $"key attribute '{key.Name}' is empty");
                return false;
            }

            item[key.Name] = new AttributeValue { B = new MemoryStream(bytes, 0, written, writable: false, publiclyVisible: true) };
            keyText = Convert.ToBase64String(bytes, 0, written);
            return true;
        }

        keyText = s;
        return true;
    }

    private bool TryAddVersion(StreamEntry entry, Dictionary<string, AttributeValue> item, out MapResult failure)
    {
        failure = default;
        if (_versionField.Length == 0)
        {
            if (!StreamEntryId.TryParse(entry.Id, out var id))
            {
                failure = MapResult.Failure(EntryErrorKind.InvalidVersion, $"entry ID '{Quote(entry.Id)}' is not a stream entry ID, so it cannot serve as the version");
                return false;
            }

            item[_versionAttribute] = new AttributeValue { S = id.ToSortableString() };
            return true;
        }

        // fields: the entry field. json: the payload's top-level property, else an entry field of that name.
        string? text = null;
        if (_format == MappingFormat.Json && item.TryGetValue(_versionField, out var fromPayload))
        {
            text = fromPayload.N ?? fromPayload.S;
            if (text is null)
            {
                failure = MapResult.Failure(EntryErrorKind.InvalidVersion, $"version field '{_versionField}' must be a number but is {DescribeNonString(fromPayload)}");
                return false;
            }
        }

        text ??= entry.GetField(_versionField);
        if (text is null)
        {
            failure = MapResult.Failure(EntryErrorKind.InvalidVersion, $"version field '{_versionField}' is missing");
            return false;
        }

        if (!DynamoNumber.TryNormalize(text, text, out var n, out var why))
        {
            failure = MapResult.Failure(EntryErrorKind.InvalidVersion, $"version field '{_versionField}' must be a number but is '{Quote(text)}' ({why})");
            return false;
        }

        item[_versionAttribute] = new AttributeValue { N = n };
        return true;
    }

    internal static string Describe(ScalarAttributeType type) =>
        type == ScalarAttributeType.N ? "a number (N)" : type == ScalarAttributeType.B ? "base64 binary (B)" : "a string (S)";

    private static string DescribeNonString(AttributeValue value) =>
        value.N is not null ? "a number"
        : value.BOOL is not null ? "a boolean"
        : value.NULL is not null ? "null"
        : value.L is not null ? "an array"
        : value.M is not null ? "an object"
        : value.B is not null ? "binary"
        : "not a scalar";

    internal static string Quote(string value) =>
        value.Length <= MaxQuotedLength ? value : string.Concat(value.AsSpan(0, MaxQuotedLength), "…");
}
