namespace DynamoWriter.Redis;

/// <summary>The kind of a RESP2 reply.</summary>
public enum RespType
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,

    /// <summary>A null bulk string (<c>$-1</c>) or a null array (<c>*-1</c>): RESP2 gives both the same meaning.</summary>
    Null,
}
