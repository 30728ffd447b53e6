using System.Text;
using DynamoWriter.Redis.Protocol;
using DynamoWriter.Redis.Tests.Protocol;

namespace DynamoWriter.Redis.Tests;

/// <summary>
/// The stream replies parsed straight from the bytes (StreamReplyParser.Bytes.cs) against the RespValue tree
/// path they replace, which serves as the oracle: same entries, same exceptions, for every shape and every split.
/// </summary>
[Trait("Category", "Unit")]
public class StreamReplyDirectParsingTests
{
    // XREADGROUP replies: the usual shape, several streams, deleted entries, empty values, UTF-8, CR LF inside
    // values, and shapes only the tree path knows (odd field counts, integer IDs, a missing field list).
    private static readonly string[] ReadCorpus =
    [
        "*-1\r\n",
        "*0\r\n",
        "*1\r\n*2\r\n$6\r\norders\r\n*0\r\n",
        "*1\r\n*2\r\n$6\r\norders\r\n*-1\r\n",
        "*1\r\n*2\r\n$6\r\norders\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nw\r\n*2\r\n$3\r\n2-0\r\n*-1\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$7\r\npayload\r\n$0\r\n\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$7\r\npayload\r\n$-1\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$5\r\nn\u00e4me\r\n$12\r\nline\r\nbreaks\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*0\r\n",
        "*2\r\n*2\r\n$1\r\na\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nx\r\n$1\r\nz\r\n",
        "*1\r\n*2\r\n$01\r\ns\r\n*+1\r\n*2\r\n$3\r\n1-0\r\n*02\r\n$1\r\nf\r\n$1\r\nv\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*3\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n:1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*1\r\n$3\r\n1-0\r\n",
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n+f\r\n$1\r\nv\r\n",
        "*1\r\n*3\r\n$1\r\ns\r\n*0\r\n:7\r\n",
        "-NOGROUP No such key 'orders' or consumer group 'g' in XREADGROUP with GROUP option\r\n",
        ":1\r\n",
        "*1\r\n:1\r\n",
    ];

    private static readonly string[] AutoClaimCorpus =
    [
        "*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*1\r\n$3\r\n2-0\r\n",
        "*3\r\n$3\r\n5-0\r\n*0\r\n*0\r\n",
        "*3\r\n$3\r\n0-0\r\n*-1\r\n*-1\r\n",
        "*2\r\n$3\r\n0-0\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
        "*4\r\n$3\r\n0-0\r\n*0\r\n*0\r\n*0\r\n",
        "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$-1\r\n",
        "-NOGROUP No such key 's' or consumer group 'g'\r\n",
    ];

    private static readonly string[] RangeCorpus =
    [
        "*0\r\n",
        "*-1\r\n",
        "*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nw\r\n",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        "$3\r\nabc\r\n",
    ];

    public static TheoryData<string> ReadReplies => [.. ReadCorpus];

    public static TheoryData<string> AutoClaimReplies => [.. AutoClaimCorpus];

    public static TheoryData<string> RangeReplies => [.. RangeCorpus];

    [Theory]
    [MemberData(nameof(ReadReplies))]
    public void Read_matches_the_tree_path(string reply) =>
        AssertSameAsTree(reply, StreamReplyParser.Read, v => Render(StreamReplyParser.ParseRead(ThrowIfError(v))));

    [Theory]
    [MemberData(nameof(AutoClaimReplies))]
    public void Auto_claim_matches_the_tree_path(string reply) =>
        AssertSameAsTree(reply, StreamReplyParser.AutoClaim("s"), v => Render(StreamReplyParser.ParseAutoClaim("s", ThrowIfError(v))));

    [Theory]
    [MemberData(nameof(RangeReplies))]
    public void Range_matches_the_tree_path(string reply) =>
        AssertSameAsTree(reply, StreamReplyParser.Range("s"), v => Render(StreamReplyParser.ParseEntries("s", ThrowIfError(v))));

    [Fact]
    public void Error_reply_is_a_server_exception_and_the_next_reply_still_parses()
    {
        using var reader = new RespReader();
        reader.Feed("-NOGROUP No such key 'orders'\r\n*-1\r\n"u8);

        Assert.True(reader.TryScan());
        var error = Assert.Throws<RedisServerException>(() => reader.Read(StreamReplyParser.Read));
        Assert.Equal("NOGROUP", error.ErrorCode);
        Assert.Equal("NOGROUP No such key 'orders'", error.Message);

        Assert.True(reader.TryScan());
        Assert.Empty(reader.Read(StreamReplyParser.Read));
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void Deleted_entries_have_the_shared_empty_field_list()
    {
        var entries = ReadDirect("*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n*2\r\n$3\r\n2-0\r\n*0\r\n", StreamReplyParser.Read, _ => int.MaxValue);

        Assert.Equal(["1-0", "2-0"], entries.Select(e => e.Id));
        Assert.All(entries, e => Assert.Empty(e.Fields));
        Assert.Same(entries[0].Fields, entries[1].Fields);
    }

    [Fact]
    public void Field_names_and_the_stream_key_are_shared_within_and_across_replies()
    {
        var raw = Encoding.UTF8.GetBytes(ReadReply("orders", 3));
        using var reader = new RespReader();
        reader.Feed(raw);
        reader.Feed(raw);

        Assert.True(reader.TryScan());
        var first = reader.Read(StreamReplyParser.Read);
        Assert.True(reader.TryScan());
        var second = reader.Read(StreamReplyParser.Read);

        var all = first.Concat(second).ToList();
        Assert.Equal(6, all.Count);
        Assert.All(all, e => Assert.Same(first[0].Stream, e.Stream));
        Assert.All(all, e => Assert.Same(first[0].Fields[0].Name, e.Fields[0].Name));
        Assert.All(all, e => Assert.Same(first[0].Fields[1].Name, e.Fields[1].Name));
        Assert.Equal(["payload", "id"], first[0].Fields.Select(f => f.Name));
        Assert.NotSame(first[0].Fields[0].Value, second[0].Fields[0].Value);
        Assert.Equal(first[0].Fields[0].Value, second[0].Fields[0].Value);
    }

    [Fact]
    public void One_byte_at_a_time_and_random_chunks_give_the_same_entries()
    {
        var reply = ReadReply("orders", 200);
        var entries = ReadDirect(reply, StreamReplyParser.Read, _ => int.MaxValue);
        var whole = Render(entries);
        var random = new Random(5);

        Assert.Equal(200, entries.Count);
        Assert.Equal(whole, Render(ReadDirect(reply, StreamReplyParser.Read, _ => 1)));
        Assert.Equal(whole, Render(ReadDirect(reply, StreamReplyParser.Read, _ => random.Next(1, 64))));
        Assert.Equal(whole, Render(ReadDirect(reply, StreamReplyParser.Read, _ => random.Next(1, 70_000))));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_realistic_read_replies_match_the_tree_path(int seed)
    {
        // The stress generator's XREADGROUP batches: up to 500 entries, deleted ones, values around buffer sizes.
        var random = new Random(seed);
        for (var i = 0; i < 40; i++)
        {
            var (raw, _) = RespReaderStressTests.RandomReply(random);
            var text = Encoding.UTF8.GetString(raw);
            if (text.StartsWith("*1\r\n*2\r\n", StringComparison.Ordinal) || text == "*-1\r\n")
            {
                AssertSameAsTree(text, StreamReplyParser.Read, v => Render(StreamReplyParser.ParseRead(ThrowIfError(v))), random);
            }
        }
    }

    [Fact]
    public void A_huge_value_survives_any_split()
    {
        var payload = new string('x', (1024 * 1024) - 3) + "\u00e9\u2713";
        var reply = $"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$4\r\ndata\r\n${Encoding.UTF8.GetByteCount(payload)}\r\n{payload}\r\n";
        var random = new Random(9);

        foreach (var chunk in new Func<int, int>[] { _ => int.MaxValue, _ => random.Next(1, 70_000), _ => 4096 })
        {
            var entry = Assert.Single(ReadDirect(reply, StreamReplyParser.Read, chunk));
            Assert.Equal(payload, entry.GetField("data"));
        }
    }

    [Fact]
    public void Name_cache_shares_ascii_names_and_decodes_everything_else()
    {
        var cache = new RespNameCache();

        Assert.Same(cache.GetOrAdd("payload"u8), cache.GetOrAdd("payload"u8));
        Assert.Same(string.Empty, cache.GetOrAdd([]));

        var utf8 = Encoding.UTF8.GetBytes("n\u00e4me");
        Assert.Equal("n\u00e4me", cache.GetOrAdd(utf8));
        Assert.NotSame(cache.GetOrAdd(utf8), cache.GetOrAdd(utf8));

        var invalid = new byte[] { (byte)'a', 0xFF };
        Assert.Equal(Encoding.UTF8.GetString(invalid), cache.GetOrAdd(invalid));

        var longName = Encoding.ASCII.GetBytes(new string('n', RespNameCache.MaxLength + 1));
        Assert.Equal(new string('n', RespNameCache.MaxLength + 1), cache.GetOrAdd(longName));
        Assert.NotSame(cache.GetOrAdd(longName), cache.GetOrAdd(longName));
    }

    [Fact]
    public void Name_cache_stays_bounded_and_correct_with_many_distinct_names()
    {
        var cache = new RespNameCache();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 10 * RespNameCache.Slots; i++)
            {
                var name = $"field-{i}";
                Assert.Equal(name, cache.GetOrAdd(Encoding.ASCII.GetBytes(name)));
            }
        }

        Assert.Same(cache.GetOrAdd("field-1"u8), cache.GetOrAdd("field-1"u8));
    }

    private static void AssertSameAsTree<T>(string reply, IReplyParser<T> parser, Func<RespValue, string> tree, Random? random = null)
    {
        var bytes = Encoding.UTF8.GetBytes(reply);
        string expected;
        try
        {
            using var reader = new RespReader();
            reader.Feed(bytes);
            Assert.True(reader.TryRead(out var value));
            expected = tree(value);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            expected = $"{ex.GetType().Name}: {ex.Message}";
        }

        random ??= new Random(reply.Length);
        foreach (var chunk in new Func<int, int>[] { _ => int.MaxValue, _ => 1, _ => random.Next(1, 64) })
        {
            string actual;
            try
            {
                actual = Render(ReadDirect(Encoding.UTF8.GetString(bytes), parser, chunk)!);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                actual = $"{ex.GetType().Name}: {ex.Message}";
            }

            Assert.Equal(expected, actual);
        }
    }

    // Receives like the read loop: into GetWriteMemory's span in chunks, TryScan after each, one reply in all.
    private static T ReadDirect<T>(string reply, IReplyParser<T> parser, Func<int, int> nextChunk)
    {
        var bytes = Encoding.UTF8.GetBytes(reply);
        using var reader = new RespReader(initialSize: 16);
        var offset = 0;
        while (true)
        {
            var size = Math.Min(nextChunk(offset), bytes.Length - offset);
            var target = reader.GetWriteMemory(Math.Min(size, 8192));
            size = Math.Min(size, target.Length);
            bytes.AsSpan(offset, size).CopyTo(target.Span);
            reader.Advance(size);
            offset += size;
            if (reader.TryScan())
            {
                Assert.Equal(bytes.Length, offset);
                try
                {
                    return reader.Read(parser);
                }
                finally
                {
                    Assert.Equal(0, reader.Buffered);
                    Assert.False(reader.TryScan());
                }
            }

            Assert.True(offset < bytes.Length, "The whole reply is in but TryScan returned false.");
        }
    }

    private static RespValue ThrowIfError(RespValue reply) =>
        reply.IsError ? throw new RedisServerException(reply.AsString()!) : reply;

    private static string Render(object result) => result switch
    {
        AutoClaimResult claim => $"next {claim.NextStart}; deleted [{string.Join(", ", claim.DeletedIds)}]\n{Render(claim.Entries)}",
        IReadOnlyList<StreamEntry> entries => string.Join("\n", entries.Select(e =>
            $"{e.Stream}|{e.Id}|{e.DeliveryCount}|{string.Join(", ", e.Fields.Select(f => $"{f.Name ?? "(null)"}={f.Value ?? "(null)"}"))}")),
        _ => throw new ArgumentException($"Cannot render {result.GetType()}", nameof(result)),
    };

    private static string ReadReply(string stream, int count)
    {
        var text = new StringBuilder("*1\r\n*2\r\n");
        Bulk(text, stream);
        text.Append('*').Append(count).Append("\r\n");
        for (var i = 0; i < count; i++)
        {
            text.Append("*2\r\n");
            Bulk(text, $"17000000{i}-0");
            text.Append("*4\r\n");
            Bulk(text, "payload");
            Bulk(text, $"{{\"n\":{i},\"text\":\"h\u00e9llo\r\n\"}}");
            Bulk(text, "id");
            Bulk(text, $"key-{i}");
        }

        return text.ToString();
    }

    private static void Bulk(StringBuilder text, string value) =>
        text.Append('$').Append(Encoding.UTF8.GetByteCount(value)).Append("\r\n").Append(value).Append("\r\n");
}
