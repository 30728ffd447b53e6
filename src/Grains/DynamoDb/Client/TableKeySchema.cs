using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>One key attribute of a table: its name and scalar type (S, N or B).</summary>
public sealed record KeyAttribute(string Name, ScalarAttributeType Type);

/// <summary>The primary key of a table, as DescribeTable reports it.</summary>
public sealed record TableKeySchema(string TableName, KeyAttribute Hash, KeyAttribute? Range)
{
    /// <summary>True when <paramref name="attributeName"/> is the hash or the range key.</summary>
    public bool IsKey(string attributeName) =>
        string.Equals(attributeName, Hash.Name, StringComparison.Ordinal)
        || (Range is not null && string.Equals(attributeName, Range.Name, StringComparison.Ordinal));

    /// <summary>The key attributes of <paramref name="item"/> (which has them), as DeleteItem and GetItem take a key.</summary>
    public Dictionary<string, AttributeValue> KeyOf(Dictionary<string, AttributeValue> item)
    {
        var key = new Dictionary<string, AttributeValue>(Range is null ? 1 : 2, StringComparer.Ordinal) { [Hash.Name] = item[Hash.Name] };
        if (Range is not null)
        {
            key[Range.Name] = item[Range.Name];
        }

        return key;
    }
}

/// <summary>Tables the configuration names but DynamoDB does not have (and <c>createTable</c> is off).</summary>
public sealed class TableMissingException : Exception
{
    public TableMissingException()
        : this([])
    {
    }

    public TableMissingException(string message)
        : base(message)
    {
        TableNames = [];
    }

    public TableMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
        TableNames = [];
    }

    public TableMissingException(IReadOnlyList<string> tableNames)
        : base(BuildMessage(tableNames))
    {
        TableNames = tableNames;
    }

    /// <summary>Every missing table, in the order they were asked for.</summary>
    public IReadOnlyList<string> TableNames { get; }

    private static string BuildMessage(IReadOnlyList<string> tableNames) =>
        tableNames.Count == 1
            ? $"DynamoDB table '{tableNames[0]}' does not exist. Create it, or set createTable: true for local use."
            : $"DynamoDB tables do not exist: {string.Join(", ", tableNames.Select(t => $"'{t}'"))}. Create them, or set createTable: true for local use.";
}
