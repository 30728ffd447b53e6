namespace DynamoWriter.Streaming.Redis.Storage;

/// <summary>
/// How a consumer finishes entries the provider delivered. The provider never acknowledges on delivery or
/// when Orleans purges its cache: the code that made an entry durable acknowledges it, so an entry whose
/// delivery was lost stays pending in Redis and is read again. Registered as a keyed singleton under the
/// provider's name.
/// </summary>
public interface IRedisStreamAcknowledger
{
    /// <summary>XACK of <paramref name="ids"/> in the provider's group, retried until Redis takes it.</summary>
    Task AcknowledgeAsync(string stream, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Adds each letter to the stream's dead-letter stream (original fields plus the <c>dw:</c> fields) and
    /// acknowledges the originals, in one atomic step. A dead-letter key that holds another type fails the
    /// call and the entries stay pending until it is fixed.
    /// </summary>
    Task DeadLetterAsync(string stream, IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken);

    /// <summary>The dead-letter stream key of <paramref name="stream"/>.</summary>
    string DeadLetterStreamFor(string stream);
}

/// <summary>An entry that can never be written, and why (<paramref name="ErrorKind"/> in kebab-case).</summary>
public sealed record DeadLetter(StreamEntry Entry, string ErrorKind, string Error);
