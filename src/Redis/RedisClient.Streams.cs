using System.Globalization;

namespace DynamoWriter.Redis;

public sealed partial class RedisClient
{
    /// <summary>XADD; returns the entry's ID.</summary>
    public async Task<string> XAddAsync(string stream, IReadOnlyList<StreamField> fields, string id = "*", CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            throw new ArgumentException("XADD needs at least one field.", nameof(fields));
        }

        var args = new string[3 + (2 * fields.Count)];
        args[0] = "XADD";
        args[1] = stream;
        args[2] = id;
        for (var i = 0; i < fields.Count; i++)
        {
            args[3 + (2 * i)] = fields[i].Name;
            args[4 + (2 * i)] = fields[i].Value;
        }

        return (await ExecuteAsync(args, ct).ConfigureAwait(false)).AsString()!;
    }

    /// <summary>XGROUP CREATE; false when the group already exists (BUSYGROUP).</summary>
    public async Task<bool> XGroupCreateAsync(string stream, string group, string startId, bool mkStream, CancellationToken ct = default)
    {
        string[] args = mkStream
            ? ["XGROUP", "CREATE", stream, group, startId, "MKSTREAM"]
            : ["XGROUP", "CREATE", stream, group, startId];
        var reply = await SendAsync(args, block: null, ct).ConfigureAwait(false);
        if (reply.IsError && reply.AsString()!.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            return false;
        }

        ThrowIfError(reply);
        return true;
    }

    /// <summary>XGROUP DESTROY; false when there was no such group.</summary>
    public async Task<bool> XGroupDestroyAsync(string stream, string group, CancellationToken ct = default) =>
        (await ExecuteAsync(["XGROUP", "DESTROY", stream, group], ct).ConfigureAwait(false)).AsInt64() > 0;

    /// <summary>XGROUP DELCONSUMER; returns how many pending entries the consumer had (they are no longer pending).</summary>
    public async Task<long> XGroupDelConsumerAsync(string stream, string group, string consumer, CancellationToken ct = default) =>
        (await ExecuteAsync(["XGROUP", "DELCONSUMER", stream, group, consumer], ct).ConfigureAwait(false)).AsInt64();

    /// <summary>
    /// XREADGROUP GROUP g c COUNT n [BLOCK ms] STREAMS k1 k2 .. id1 id2 ..; a block that times out gives an empty list.
    /// </summary>
    /// <remarks>
    /// Re-reading the pending list (ID "0") returns entries deleted since delivery with no fields; they come back
    /// with an empty <see cref="StreamEntry.Fields"/>, which is unambiguous because XADD needs at least one field.
    /// Redis does not report delivery counts here, so <see cref="StreamEntry.DeliveryCount"/> is 1.
    /// Cancelling a blocked read closes the connection (the next command reconnects), because Redis would
    /// otherwise hold it until the block expires. The reply may take <paramref name="block"/> plus
    /// <see cref="RedisClientOptions.CommandTimeout"/>, after which the connection is closed and
    /// <see cref="RedisConnectionException"/> is thrown.
    /// </remarks>
    /// <param name="block">Null sends no BLOCK; <see cref="TimeSpan.Zero"/> blocks indefinitely, as BLOCK 0 does.</param>
    public async Task<IReadOnlyList<StreamEntry>> XReadGroupAsync(string group, string consumer, IReadOnlyList<(string Stream, string Id)> streams, int count, TimeSpan? block, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (streams.Count == 0)
        {
            throw new ArgumentException("XREADGROUP needs at least one stream.", nameof(streams));
        }

        var args = new List<string>(9 + (2 * streams.Count)) { "XREADGROUP", "GROUP", group, consumer, "COUNT", Format(count) };
        if (block is { } b)
        {
            args.Add("BLOCK");
            args.Add(Format(Milliseconds(b)));
        }

        args.Add("STREAMS");
        foreach (var (stream, _) in streams)
        {
            args.Add(stream);
        }

        foreach (var (_, id) in streams)
        {
            args.Add(id);
        }

        return await SendAsync(args, block, StreamReplyParser.Read, ct).ConfigureAwait(false);
    }

    /// <summary>XRANGE stream start end [COUNT n].</summary>
    public async Task<IReadOnlyList<StreamEntry>> XRangeAsync(string stream, string start, string end, int? count = null, CancellationToken ct = default)
    {
        string[] args = count is { } c
            ? ["XRANGE", stream, start, end, "COUNT", Format(c)]
            : ["XRANGE", stream, start, end];
        return await SendAsync(args, block: null, StreamReplyParser.Range(stream), ct).ConfigureAwait(false);
    }

    /// <summary>XACK; returns how many of the IDs were pending and are now acknowledged.</summary>
    public async Task<long> XAckAsync(string stream, string group, IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return 0;
        }

        var args = new string[3 + ids.Count];
        args[0] = "XACK";
        args[1] = stream;
        args[2] = group;
        for (var i = 0; i < ids.Count; i++)
        {
            args[3 + i] = ids[i];
        }

        return (await ExecuteAsync(args, ct).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>XPENDING stream group (summary form).</summary>
    public async Task<PendingSummary> XPendingAsync(string stream, string group, CancellationToken ct = default) =>
        StreamReplyParser.ParsePendingSummary(await ExecuteAsync(["XPENDING", stream, group], ct).ConfigureAwait(false));

    /// <summary>XPENDING stream group [IDLE ms] start end count [consumer] (extended form).</summary>
    public async Task<IReadOnlyList<PendingEntryInfo>> XPendingRangeAsync(string stream, string group, string start, string end, int count, string? consumer = null, TimeSpan? minIdle = null, CancellationToken ct = default)
    {
        var args = new List<string>(9) { "XPENDING", stream, group };
        if (minIdle is { } idle)
        {
            args.Add("IDLE");
            args.Add(Format(Milliseconds(idle)));
        }

        args.Add(start);
        args.Add(end);
        args.Add(Format(count));
        if (consumer is not null)
        {
            args.Add(consumer);
        }

        return StreamReplyParser.ParsePendingRange(await ExecuteAsync(args, ct).ConfigureAwait(false));
    }

    /// <summary>XAUTOCLAIM stream group consumer min-idle start COUNT n.</summary>
    public async Task<AutoClaimResult> XAutoClaimAsync(string stream, string group, string consumer, TimeSpan minIdle, string start, int count, CancellationToken ct = default)
    {
        string[] args = ["XAUTOCLAIM", stream, group, consumer, Format(Milliseconds(minIdle)), start, "COUNT", Format(count)];
        return await SendAsync(args, block: null, StreamReplyParser.AutoClaim(stream), ct).ConfigureAwait(false);
    }

    /// <summary>XINFO STREAM.</summary>
    /// <exception cref="RedisServerException">ERR no such key, when the stream does not exist.</exception>
    public async Task<StreamInfo> XInfoStreamAsync(string stream, CancellationToken ct = default) =>
        StreamReplyParser.ParseStreamInfo(await ExecuteAsync(["XINFO", "STREAM", stream], ct).ConfigureAwait(false));

    /// <summary>XINFO GROUPS.</summary>
    public async Task<IReadOnlyList<GroupInfo>> XInfoGroupsAsync(string stream, CancellationToken ct = default) =>
        StreamReplyParser.ParseGroups(await ExecuteAsync(["XINFO", "GROUPS", stream], ct).ConfigureAwait(false));

    /// <summary>XINFO CONSUMERS.</summary>
    public async Task<IReadOnlyList<ConsumerInfo>> XInfoConsumersAsync(string stream, string group, CancellationToken ct = default) =>
        StreamReplyParser.ParseConsumers(await ExecuteAsync(["XINFO", "CONSUMERS", stream, group], ct).ConfigureAwait(false));

    /// <summary>XLEN; 0 for a missing key.</summary>
    public async Task<long> XLenAsync(string stream, CancellationToken ct = default) =>
        (await ExecuteAsync(["XLEN", stream], ct).ConfigureAwait(false)).AsInt64();

    /// <summary>XTRIM stream MINID [~] id; returns how many entries were removed.</summary>
    /// <param name="approximate">Let Redis trim whole radix-tree nodes only (cheaper; may keep a few older entries).</param>
    public async Task<long> XTrimMinIdAsync(string stream, string minId, bool approximate = false, CancellationToken ct = default)
    {
        string[] args = approximate
            ? ["XTRIM", stream, "MINID", "~", minId]
            : ["XTRIM", stream, "MINID", minId];
        return (await ExecuteAsync(args, ct).ConfigureAwait(false)).AsInt64();
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    // Rounded up, so a positive sub-millisecond wait never becomes 0, which BLOCK and IDLE read differently.
    private static long Milliseconds(TimeSpan value) =>
        value <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(value.TotalMilliseconds);
}
