namespace DynamoWriter.Redis;

/// <summary>
/// Turns stream command replies into typed results, tolerating the RESP2 shapes of Redis 6.2 to 7.x and Valkey.
/// This file works on <see cref="RespValue"/> trees; the replies that carry entries are read straight from
/// their bytes (StreamReplyParser.Bytes.cs), which falls back to these methods for anything unexpected.
/// </summary>
internal static partial class StreamReplyParser
{
    private static readonly StreamField[] NoFields = [];

    /// <summary>XREADGROUP / XREAD: <c>[[stream, [entry...]]...]</c>, or null when a block timed out.</summary>
    public static IReadOnlyList<StreamEntry> ParseRead(RespValue reply)
    {
        if (reply.IsNull)
        {
            return [];
        }

        var streams = reply.Items;
        if (streams.Count == 1)
        {
            var only = streams[0].Items;
            return ParseEntries(only[0].AsString()!, only[1]);
        }

        var entries = new List<StreamEntry>();
        foreach (var stream in streams)
        {
            var pair = stream.Items;
            entries.AddRange(ParseEntries(pair[0].AsString()!, pair[1]));
        }

        return entries;
    }

    /// <summary>An array of <c>[id, [field, value, ...]]</c>; a nil field list (deleted entry) gives empty fields.</summary>
    public static StreamEntry[] ParseEntries(string stream, RespValue reply)
    {
        var items = reply.Items;
        if (items.Count == 0)
        {
            return [];
        }

        var entries = new StreamEntry[items.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = ParseEntry(stream, items[i]);
        }

        return entries;
    }

    public static StreamEntry ParseEntry(string stream, RespValue reply)
    {
        var pair = reply.Items;
        var id = pair[0].AsString()!;
        var flat = pair.Count > 1 ? pair[1].Items : [];
        if (flat.Count == 0)
        {
            return new StreamEntry(stream, id, NoFields);
        }

        var fields = new StreamField[flat.Count / 2];
        for (var f = 0; f < fields.Length; f++)
        {
            fields[f] = new StreamField(flat[2 * f].AsString()!, flat[(2 * f) + 1].AsString() ?? "");
        }

        return new StreamEntry(stream, id, fields);
    }

    public static PendingSummary ParsePendingSummary(RespValue reply)
    {
        var items = reply.Items;
        var consumers = items.Count > 3 ? items[3].Items : [];
        var counts = new ConsumerPendingCount[consumers.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            var pair = consumers[i].Items;
            counts[i] = new ConsumerPendingCount(pair[0].AsString()!, pair[1].AsInt64());
        }

        return new PendingSummary(items[0].AsInt64(), items[1].AsString(), items[2].AsString(), counts);
    }

    public static PendingEntryInfo[] ParsePendingRange(RespValue reply)
    {
        var items = reply.Items;
        var rows = new PendingEntryInfo[items.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = items[i].Items;
            rows[i] = new PendingEntryInfo(
                row[0].AsString()!,
                row[1].AsString()!,
                TimeSpan.FromMilliseconds(row[2].AsInt64()),
                row[3].AsInt64());
        }

        return rows;
    }

    public static AutoClaimResult ParseAutoClaim(string stream, RespValue reply)
    {
        var items = reply.Items;
        var entries = ParseEntries(stream, items[1]);
        var deleted = items.Count > 2 ? items[2].Items.Select(d => d.AsString()!).ToArray() : [];
        return new AutoClaimResult(items[0].AsString()!, entries, deleted);
    }

    public static StreamInfo ParseStreamInfo(RespValue reply)
    {
        long length = 0, groups = 0;
        string? first = null, last = null;
        var lastGenerated = "0-0";
        var items = reply.Items;
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            var value = items[i + 1];
            switch (items[i].AsString())
            {
                case "length":
                    length = value.AsInt64();
                    break;
                case "groups":
                    groups = value.AsInt64();
                    break;
                case "last-generated-id":
                    lastGenerated = value.AsString() ?? lastGenerated;
                    break;
                case "first-entry":
                    first = value.IsNull ? null : value.Items[0].AsString();
                    break;
                case "last-entry":
                    last = value.IsNull ? null : value.Items[0].AsString();
                    break;
                default:
                    break;
            }
        }

        return new StreamInfo(length, first, last, lastGenerated, groups);
    }

    public static GroupInfo[] ParseGroups(RespValue reply)
    {
        var items = reply.Items;
        var groups = new GroupInfo[items.Count];
        for (var g = 0; g < groups.Length; g++)
        {
            string name = "", lastDelivered = "0-0";
            long consumers = 0, pending = 0;
            long? entriesRead = null, lag = null;
            var map = items[g].Items;
            for (var i = 0; i + 1 < map.Count; i += 2)
            {
                var value = map[i + 1];
                switch (map[i].AsString())
                {
                    case "name":
                        name = value.AsString() ?? "";
                        break;
                    case "consumers":
                        consumers = value.AsInt64();
                        break;
                    case "pending":
                        pending = value.AsInt64();
                        break;
                    case "last-delivered-id":
                        lastDelivered = value.AsString() ?? lastDelivered;
                        break;
                    case "entries-read":
                        entriesRead = value.IsNull ? null : value.AsInt64();
                        break;
                    case "lag":
                        lag = value.IsNull ? null : value.AsInt64();
                        break;
                    default:
                        break;
                }
            }

            groups[g] = new GroupInfo(name, consumers, pending, lastDelivered, entriesRead, lag);
        }

        return groups;
    }

    public static ConsumerInfo[] ParseConsumers(RespValue reply)
    {
        var items = reply.Items;
        var consumers = new ConsumerInfo[items.Count];
        for (var c = 0; c < consumers.Length; c++)
        {
            string name = "";
            long pending = 0, idle = 0;
            var map = items[c].Items;
            for (var i = 0; i + 1 < map.Count; i += 2)
            {
                var value = map[i + 1];
                switch (map[i].AsString())
                {
                    case "name":
                        name = value.AsString() ?? "";
                        break;
                    case "pending":
                        pending = value.AsInt64();
                        break;
                    case "idle":
                        idle = value.AsInt64();
                        break;
                    default:
                        break;
                }
            }

            consumers[c] = new ConsumerInfo(name, pending, TimeSpan.FromMilliseconds(idle));
        }

        return consumers;
    }
}
