using Amazon.DynamoDBv2.Model;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>The operation field (<c>sc.mapping.operationField</c>): which entries are deletes.</summary>
public sealed partial class ItemMapper
{
    /// <summary>No field (or the feature off): a put. <c>delete</c>: a delete. Anything else: a bad entry.</summary>
    private bool TryReadOperation(StreamEntry entry, out WriteOperation operation, out MapResult failure)
    {
        operation = WriteOperation.Put;
        failure = default;
        if (_operationField.Length == 0 || entry.GetField(_operationField) is not { } value)
        {
            return true;
        }

        if (string.Equals(value, MappingOptions.DeleteOperation, StringComparison.Ordinal))
        {
            operation = WriteOperation.Delete;
            return true;
        }

        failure = MapResult.Failure(
            EntryErrorKind.InvalidOperation,
            $"operation field '{_operationField}' is '{Quote(value)}'; the only operation is '{MappingOptions.DeleteOperation}' (leave the field out for a put)");
        return false;
    }

    /// <summary>
    /// A delete whose key cannot be read has nothing to delete: its own error kind, so that a producer's
    /// broken tombstones are told apart from its broken items.
    /// </summary>
    private static MapResult ForOperation(WriteOperation operation, MapResult failure) =>
        operation == WriteOperation.Delete
        && failure.ErrorKind is EntryErrorKind.MissingKey or EntryErrorKind.EmptyKey or EntryErrorKind.KeyTypeMismatch or EntryErrorKind.MissingPayload
            ? MapResult.Failure(EntryErrorKind.MissingKeyForDelete, $"delete without a usable key: {failure.Error}")
            : failure;

    /// <summary>Only the key, plus the version attribute for newer-wins: the rest of the entry is not needed to delete.</summary>
    private WriteItem Tombstone(StreamEntry entry, Dictionary<string, AttributeValue> item, TableKeySchema schema, string keyText)
    {
        var key = schema.KeyOf(item);
        if (_addVersion)
        {
            key[_versionAttribute] = item[_versionAttribute];
        }

        return new WriteItem(entry, key, keyText) { Operation = WriteOperation.Delete };
    }
}
