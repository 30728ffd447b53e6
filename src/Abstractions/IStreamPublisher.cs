namespace DynamoWriter;

/// <summary>
/// Adds entries to a stream in the shape DynamoWriter reads, so producers in other .NET apps need not
/// know the mapping rules.
/// </summary>
public interface IStreamPublisher
{
    /// <summary>Adds an entry whose fields become string attributes (<c>fields</c> format). Returns the entry ID.</summary>
    Task<string> PublishFieldsAsync(string stream, IReadOnlyList<StreamField> fields, CancellationToken cancellationToken = default);

    /// <summary>Adds an entry whose payload field holds <paramref name="json"/>, a JSON object (<c>json</c> format). Returns the entry ID.</summary>
    Task<string> PublishJsonAsync(string stream, string json, CancellationToken cancellationToken = default);
}
