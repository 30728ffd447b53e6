namespace DynamoWriter.Configuration;

/// <summary>One configuration mistake.</summary>
/// <param name="KeyPath">
/// Where the mistake is, in the user's spelling of the schema (<c>sc.dynamoDB.batchSize</c>,
/// <c>sc.stream.streams[1]</c>), or <c>file:line:column</c> for a YAML syntax error.
/// </param>
/// <param name="Message">What is wrong, quoting the offending value so the user can find it.</param>
public sealed record ConfigError(string KeyPath, string Message)
{
    public override string ToString() => $"{KeyPath}: {Message}";
}
