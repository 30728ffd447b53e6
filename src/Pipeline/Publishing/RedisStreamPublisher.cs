using DynamoWriter.Options;
using DynamoWriter.Redis;

namespace DynamoWriter.Pipeline.Publishing;

/// <summary>
/// Adds entries in the shape the writer maps: plain fields for <c>fields</c>, one payload field holding
/// a JSON object for <c>json</c> (the field name comes from <c>sc.mapping.payloadField</c>).
/// </summary>
public sealed class RedisStreamPublisher(RedisClient client, MappingOptions mapping) : IStreamPublisher, IAsyncDisposable
{
    public Task<string> PublishFieldsAsync(string stream, IReadOnlyList<StreamField> fields, CancellationToken cancellationToken = default)
    {
        if (fields.Count == 0)
        {
            throw new ArgumentException("A stream entry needs at least one field.", nameof(fields));
        }

        return client.XAddAsync(stream, fields, "*", cancellationToken);
    }

    public Task<string> PublishJsonAsync(string stream, string json, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(json);
        return client.XAddAsync(stream, [new StreamField(mapping.PayloadField, json)], "*", cancellationToken);
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();
}
