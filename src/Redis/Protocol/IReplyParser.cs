namespace DynamoWriter.Redis.Protocol;

/// <summary>
/// Builds one command's result from its reply's bytes. The read loop runs it the moment the reply is complete,
/// so a command whose reply has a known shape skips the <see cref="RespValue"/> tree.
/// </summary>
/// <remarks>
/// The reply has been scanned before, so it is well-formed RESP2, but its shape is whatever the server sent:
/// an error, a nil, or a layout the parser does not expect. Whatever the parser throws fails only its own
/// command; the reply is consumed either way and the connection stays in step.
/// </remarks>
internal interface IReplyParser<out T>
{
    /// <param name="reply">Positioned at the reply's first byte; the parser need not read it to the end.</param>
    T Parse(ref RespCursor reply);
}

/// <summary>The generic parser: the reply as a <see cref="RespValue"/> tree.</summary>
internal sealed class RespValueParser : IReplyParser<RespValue>
{
    public static RespValueParser Instance { get; } = new();

    public RespValue Parse(ref RespCursor reply) => reply.ReadValue();
}
