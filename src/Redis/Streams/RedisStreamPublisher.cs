using DynamoWriter.Options;

namespace DynamoWriter.Redis;

/// <summary>
/// <see cref="IStreamPublisher"/> over a <see cref="RedisClient"/>: entries in the shape DynamoWriter reads.
/// </summary>
public sealed class RedisStreamPublisher : IStreamPublisher
{
    private readonly RedisClient _client;
    private readonly string _payloadField;

    /// <param name="client">Not owned: the caller disposes it.</param>
    /// <param name="payloadField">The field <see cref="PublishJsonAsync"/> writes; must match the reader's <see cref="MappingOptions.PayloadField"/>.</param>
    public RedisStreamPublisher(RedisClient client, string payloadField = MappingOptions.DefaultPayloadField)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(payloadField);
        _client = client;
        _payloadField = payloadField;
    }

    public Task<string> PublishFieldsAsync(string stream, IReadOnlyList<StreamField> fields, CancellationToken cancellationToken = default) =>
        _client.XAddAsync(stream, fields, ct: cancellationToken);

    public Task<string> PublishJsonAsync(string stream, string json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        return _client.XAddAsync(stream, [new StreamField(_payloadField, json)], ct: cancellationToken);
    }
}
