namespace DynamoWriter.Diagnostics;

/// <summary>
/// Why an entry could not be written. Values are written into dead-letter entries and metric tags
/// in kebab-case (<see cref="EntryErrorKindExtensions.ToWireName"/>), so renaming one is a breaking change.
/// </summary>
public enum EntryErrorKind
{
    MalformedJson,
    PayloadNotObject,
    MissingPayload,
    MissingKey,
    EmptyKey,
    KeyTypeMismatch,
    ItemTooLarge,
    NestingTooDeep,
    InvalidNumber,
    InvalidVersion,
    ValidationRejected,
    TooManyDeliveries,

    /// <summary>The operation field holds something other than <c>delete</c>.</summary>
    InvalidOperation,

    /// <summary>A delete whose key is missing, empty or of the wrong type: there is nothing it could delete.</summary>
    MissingKeyForDelete,
}

public static class EntryErrorKindExtensions
{
    public static string ToWireName(this EntryErrorKind kind) => kind switch
    {
        EntryErrorKind.MalformedJson => "malformed-json",
        EntryErrorKind.PayloadNotObject => "payload-not-object",
        EntryErrorKind.MissingPayload => "missing-payload",
        EntryErrorKind.MissingKey => "missing-key",
        EntryErrorKind.EmptyKey => "empty-key",
        EntryErrorKind.KeyTypeMismatch => "key-type-mismatch",
        EntryErrorKind.ItemTooLarge => "item-too-large",
        EntryErrorKind.NestingTooDeep => "nesting-too-deep",
        EntryErrorKind.InvalidNumber => "invalid-number",
        EntryErrorKind.InvalidVersion => "invalid-version",
        EntryErrorKind.ValidationRejected => "validation-rejected",
        EntryErrorKind.TooManyDeliveries => "too-many-deliveries",
        EntryErrorKind.InvalidOperation => "invalid-operation",
        EntryErrorKind.MissingKeyForDelete => "missing-key-for-delete",
        _ => kind.ToString(),
    };
}
