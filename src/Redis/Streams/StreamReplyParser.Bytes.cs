using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis;

/// <summary>
/// The stream replies that carry entries (XREADGROUP, XRANGE, XAUTOCLAIM), parsed by the read loop straight
/// from the reply's bytes into <see cref="StreamEntry"/> objects: no <see cref="RespValue"/> per element, no
/// intermediate lists, and field names and stream keys shared through the connection's name cache.
/// </summary>
/// <remarks>
/// Only the shape Redis and Valkey send is read this way. Anything else (an error reply, an unexpected type or
/// count anywhere) rewinds and takes the <see cref="RespValue"/> path with the tree parsers in
/// StreamReplyParser.cs, so errors and odd replies come out exactly as they always did.
/// </remarks>
internal static partial class StreamReplyParser
{
    /// <summary>XREADGROUP / XREAD; an error reply throws <see cref="RedisServerException"/>.</summary>
    public static IReplyParser<IReadOnlyList<StreamEntry>> Read { get; } = new ReadParser();

    /// <summary>XRANGE of <paramref name="stream"/>; an error reply throws <see cref="RedisServerException"/>.</summary>
    public static IReplyParser<IReadOnlyList<StreamEntry>> Range(string stream) => new RangeParser(stream);

    /// <summary>XAUTOCLAIM on <paramref name="stream"/>; an error reply throws <see cref="RedisServerException"/>.</summary>
    public static IReplyParser<AutoClaimResult> AutoClaim(string stream) => new AutoClaimParser(stream);

    private static RespValue ThrowIfError(RespValue reply) =>
        reply.IsError ? throw new RedisServerException(reply.AsString()!) : reply;

    /// <summary><c>[[stream, [entry...]]...]</c> or nil.</summary>
    private static bool TryParseRead(ref RespCursor reply, out IReadOnlyList<StreamEntry> result)
    {
        result = [];
        if (!reply.TryReadArray(out var streams))
        {
            return false;
        }

        // Nil when a block timed out. Several streams are rare here (one reader per stream), so a list will do.
        List<StreamEntry>? all = null;
        for (var s = 0; s < streams; s++)
        {
            if (!reply.TryReadArray(out var pair) || pair != 2
                || !reply.TryReadName(out var stream) || stream is null
                || !TryParseEntries(ref reply, stream, out var entries))
            {
                return false;
            }

            if (streams == 1)
            {
                result = entries;
            }
            else
            {
                (all ??= []).AddRange(entries);
                result = all;
            }
        }

        return true;
    }

    /// <summary><c>[next, [entry...]]</c> (Redis 6.2) or <c>[next, [entry...], [deleted id...]]</c> (Redis 7).</summary>
    private static bool TryParseAutoClaim(ref RespCursor reply, string stream, out AutoClaimResult? result)
    {
        result = null;
        if (!reply.TryReadArray(out var count) || count is not (2 or 3)
            || !reply.TryReadString(out var next) || next is null
            || !TryParseEntries(ref reply, stream, out var entries))
        {
            return false;
        }

        var deleted = Array.Empty<string>();
        if (count == 3)
        {
            if (!reply.TryReadArray(out var ids))
            {
                return false;
            }

            if (ids > 0)
            {
                deleted = new string[ids];
                for (var i = 0; i < ids; i++)
                {
                    if (!reply.TryReadString(out var id) || id is null)
                    {
                        return false;
                    }

                    deleted[i] = id;
                }
            }
        }

        result = new AutoClaimResult(next, entries, deleted);
        return true;
    }

    /// <summary><c>[[id, [field, value, ...]]...]</c>; nil reads as no entries.</summary>
    private static bool TryParseEntries(ref RespCursor reply, string stream, out StreamEntry[] entries)
    {
        entries = [];
        if (!reply.TryReadArray(out var count))
        {
            return false;
        }

        if (count <= 0)
        {
            return true;
        }

        entries = new StreamEntry[count];
        for (var i = 0; i < entries.Length; i++)
        {
            if (!TryParseEntry(ref reply, stream, out entries[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>[id, [field, value, ...]]</c>; a nil field list (an entry deleted since delivery) gives no fields.</summary>
    private static bool TryParseEntry(ref RespCursor reply, string stream, out StreamEntry entry)
    {
        entry = null!;
        if (!reply.TryReadArray(out var pair) || pair != 2
            || !reply.TryReadString(out var id) || id is null
            || !reply.TryReadArray(out var flat) || flat % 2 != 0)
        {
            return false;
        }

        if (flat <= 0)
        {
            entry = new StreamEntry(stream, id, NoFields);
            return true;
        }

        var fields = new StreamField[flat / 2];
        for (var f = 0; f < fields.Length; f++)
        {
            if (!reply.TryReadName(out var name) || name is null || !reply.TryReadString(out var value))
            {
                return false;
            }

            fields[f] = new StreamField(name, value ?? "");
        }

        entry = new StreamEntry(stream, id, fields);
        return true;
    }

    private sealed class ReadParser : IReplyParser<IReadOnlyList<StreamEntry>>
    {
        public IReadOnlyList<StreamEntry> Parse(ref RespCursor reply)
        {
            if (TryParseRead(ref reply, out var entries))
            {
                return entries;
            }

            reply.Rewind();
            return ParseRead(ThrowIfError(reply.ReadValue()));
        }
    }

    private sealed class RangeParser(string stream) : IReplyParser<IReadOnlyList<StreamEntry>>
    {
        public IReadOnlyList<StreamEntry> Parse(ref RespCursor reply)
        {
            if (TryParseEntries(ref reply, stream, out var entries))
            {
                return entries;
            }

            reply.Rewind();
            return ParseEntries(stream, ThrowIfError(reply.ReadValue()));
        }
    }

    private sealed class AutoClaimParser(string stream) : IReplyParser<AutoClaimResult>
    {
        public AutoClaimResult Parse(ref RespCursor reply)
        {
            if (TryParseAutoClaim(ref reply, stream, out var result))
            {
                return result!;
            }

            reply.Rewind();
            return ParseAutoClaim(stream, ThrowIfError(reply.ReadValue()));
        }
    }
}
