using DynamoWriter.Options;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations.Publishing;

/// <summary>
/// <see cref="IStreamPublisher"/> on StackExchange.Redis: entries in the shape DynamoWriter reads (XADD with
/// an auto ID; fields in order, repeated names kept; JSON in the payload field).
/// </summary>
public sealed class RedisStreamPublisher : IStreamPublisher
{
    private readonly Func<CancellationToken, Task<IDatabase>> _database;
    private readonly string _payloadField;

    /// <param name="redis">Not owned: the container (or the caller) disposes it.</param>
    /// <param name="payloadField">The field <see cref="PublishJsonAsync"/> writes; must match the reader's <see cref="MappingOptions.PayloadField"/>.</param>
    public RedisStreamPublisher(DynamoWriterRedis redis, string payloadField = MappingOptions.DefaultPayloadField)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(payloadField);
        _database = redis.GetDatabaseAsync;
        _payloadField = payloadField;
    }

    /// <param name="database">A database of a connection the caller owns.</param>
    /// <param name="payloadField">The field <see cref="PublishJsonAsync"/> writes; must match the reader's <see cref="MappingOptions.PayloadField"/>.</param>
    public RedisStreamPublisher(IDatabase database, string payloadField = MappingOptions.DefaultPayloadField)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrEmpty(payloadField);
        _database = _ => Task.FromResult(database);
        _payloadField = payloadField;
    }

    public async Task<string> PublishFieldsAsync(string stream, IReadOnlyList<StreamField> fields, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            throw new ArgumentException("An entry needs at least one field.", nameof(fields));
        }

        var entries = new NameValueEntry[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            entries[i] = new NameValueEntry(fields[i].Name, fields[i].Value);
        }

        return await AddAsync(stream, entries, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> PublishJsonAsync(string stream, string json, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentNullException.ThrowIfNull(json);
        return await AddAsync(stream, [new NameValueEntry(_payloadField, json)], cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> AddAsync(string stream, NameValueEntry[] entries, CancellationToken cancellationToken)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        var id = await db.StreamAddAsync(stream, entries).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (string)id!;
    }
}
