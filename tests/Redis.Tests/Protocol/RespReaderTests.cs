using System.Text;
using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis.Tests.Protocol;

[Trait("Category", "Unit")]
public class RespReaderTests
{
    // Every RESP2 type, nesting, nulls, empties, errors, and UTF-8 whose byte count differs from its char count.
    private static readonly string[] Corpus =
    [
        "+OK\r\n",
        "+QUEUED\r\n",
        "+some status\r\n",
        "-ERR unknown command 'FOO'\r\n",
        "-BUSYGROUP Consumer Group name already exists\r\n",
        ":0\r\n",
        ":-42\r\n",
        ":9223372036854775807\r\n",
        "$5\r\nhello\r\n",
        "$0\r\n\r\n",
        "$-1\r\n",
        "$12\r\nline\r\nbreaks\r\n",
        "$15\r\nh\u00e9llo \u2713 \ud83c\udf89\r\n",
        "*0\r\n",
        "*-1\r\n",
        "*3\r\n:1\r\n$1\r\na\r\n+b\r\n",
        "*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n*-1\r\n",
        "*1\r\n*1\r\n*1\r\n*1\r\n*0\r\n",
        "*4\r\n$-1\r\n*-1\r\n-ERR inside\r\n*0\r\n",
        "*2\r\n*1\r\n:1\r\n*1\r\n:2\r\n",
    ];

    [Fact]
    public void Parses_every_type()
    {
        var values = ReadAll(Encoding.UTF8.GetBytes(string.Concat(Corpus)), _ => int.MaxValue);

        Assert.Equal(Corpus.Length, values.Count);
        Assert.Equal(RespType.SimpleString, values[0].Type);
        Assert.Equal("OK", values[0].AsString());
        Assert.Equal("some status", values[2].AsString());
        Assert.Equal(RespType.Error, values[3].Type);
        Assert.Equal("ERR unknown command 'FOO'", values[3].AsString());
        Assert.Equal(0, values[5].AsInt64());
        Assert.Equal(-42, values[6].AsInt64());
        Assert.Equal(long.MaxValue, values[7].AsInt64());
        Assert.Equal(RespType.BulkString, values[8].Type);
        Assert.Equal("hello", values[8].AsString());
        Assert.Equal("", values[9].AsString());
        Assert.True(values[10].IsNull);
        Assert.Null(values[10].AsString());
        Assert.Equal("line\r\nbreaks", values[11].AsString());
        Assert.Equal("h\u00e9llo \u2713 \ud83c\udf89", values[12].AsString());
        Assert.Equal(RespType.Array, values[13].Type);
        Assert.Empty(values[13].Items);
        Assert.True(values[14].IsNull);
        Assert.Empty(values[14].Items);

        var mixed = values[15].Items;
        Assert.Equal([RespType.Integer, RespType.BulkString, RespType.SimpleString], mixed.Select(v => v.Type));

        var entries = values[16].Items;
        Assert.Equal("1-0", entries[0].Items[0].AsString());
        Assert.Equal(["f", "v"], entries[0].Items[1].Items.Select(v => v.AsString()));
        Assert.True(entries[1].Items[1].IsNull);

        Assert.Empty(values[17].Items[0].Items[0].Items[0].Items[0].Items);
        Assert.Equal([RespType.Null, RespType.Null, RespType.Error, RespType.Array], values[18].Items.Select(v => v.Type));
        Assert.Equal("[[:1], [:2]]", values[19].ToString());
    }

    [Fact]
    public void One_byte_at_a_time_gives_the_same_replies()
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Corpus));
        var whole = Render(ReadAll(bytes, _ => int.MaxValue));

        Assert.Equal(whole, Render(ReadAll(bytes, _ => 1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    [InlineData(12345)]
    public void Random_chunks_give_the_same_replies(int seed)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(string.Concat(Corpus), 20)));
        var whole = Render(ReadAll(bytes, _ => int.MaxValue));
        var random = new Random(seed);

        Assert.Equal(whole, Render(ReadAll(bytes, _ => random.Next(1, 64))));
    }

    [Fact]
    public void Large_bulk_strings_survive_any_split()
    {
        var payload = new string('x', 1024 * 1024 - 3) + "\u00e9\u2713";
        var encoded = Encoding.UTF8.GetBytes($"*2\r\n${Encoding.UTF8.GetByteCount(payload)}\r\n{payload}\r\n:7\r\n");
        var random = new Random(7);

        foreach (var chunk in new Func<int, int>[] { _ => int.MaxValue, _ => random.Next(1, 70_000), _ => 4096 })
        {
            var value = Assert.Single(ReadAll(encoded, chunk));
            Assert.Equal(payload, value.Items[0].AsString());
            Assert.Equal(7, value.Items[1].AsInt64());
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("+OK")]
    [InlineData("+OK\r")]
    [InlineData("$5\r\nhel")]
    [InlineData("$5\r\nhello")]
    [InlineData("$5\r\nhello\r")]
    [InlineData("*2\r\n:1\r\n")]
    [InlineData("*2\r\n*1\r\n:1\r\n")]
    [InlineData(":12")]
    public void Incomplete_input_needs_more(string partial)
    {
        using var reader = new RespReader();
        reader.Feed(Encoding.UTF8.GetBytes(partial));

        Assert.False(reader.TryRead(out var value));
        Assert.Null(value);
        Assert.Equal(partial.Length, reader.Buffered);
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void Completing_an_incomplete_reply_returns_it_and_keeps_the_rest()
    {
        using var reader = new RespReader();
        reader.Feed("*2\r\n$5\r\nhel"u8);
        Assert.False(reader.TryRead(out _));

        reader.Feed("lo\r\n:3\r\n+NEXT"u8);
        Assert.True(reader.TryRead(out var value));
        Assert.Equal("[\"hello\", :3]", value.ToString());
        Assert.False(reader.TryRead(out _));
        Assert.Equal(5, reader.Buffered);
    }

    [Fact]
    public void Scan_then_read_consumes_exactly_one_reply_even_when_the_parser_throws()
    {
        using var reader = new RespReader();
        reader.Feed("*2\r\n:1\r\n:2\r\n+NEXT\r\n$3\r\nab"u8);

        Assert.Throws<InvalidOperationException>(() => reader.Read(RespValueParser.Instance));
        Assert.True(reader.TryScan());
        Assert.True(reader.TryScan());
        Assert.Throws<FormatException>(() => reader.Read(new Throwing()));

        Assert.True(reader.TryScan());
        Assert.Equal("NEXT", reader.Read(RespValueParser.Instance).AsString());
        Assert.False(reader.TryScan());
        Assert.Throws<InvalidOperationException>(() => reader.Read(RespValueParser.Instance));
        Assert.Equal("$3\r\nab".Length, reader.Buffered);
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData("$abc\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("*-7\r\n")]
    [InlineData(":12x\r\n")]
    [InlineData("$3\r\nabcXY")]
    [InlineData("+OK\rX")]
    public void Invalid_input_is_a_protocol_error(string bad)
    {
        using var reader = new RespReader();
        reader.Feed(Encoding.UTF8.GetBytes(bad));

        Assert.Throws<RedisProtocolException>(() => reader.TryRead(out _));
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_a_protocol_error()
    {
        using var reader = new RespReader();
        reader.Feed(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", RespReader.MaxDepth + 1)) + ":1\r\n"));

        Assert.Throws<RedisProtocolException>(() => reader.TryRead(out _));
    }

    [Fact]
    public void Many_small_replies_reuse_the_buffer()
    {
        using var reader = new RespReader(initialSize: 64);
        for (var i = 0; i < 10_000; i++)
        {
            reader.Feed("$3\r\nabc\r\n:1"u8);
            Assert.True(reader.TryRead(out var bulk));
            Assert.Equal("abc", bulk.AsString());
            reader.Feed("\r\n"u8);
            Assert.True(reader.TryRead(out var integer));
            Assert.Equal(1, integer.AsInt64());
            Assert.Equal(0, reader.Buffered);
        }
    }

    private static List<RespValue> ReadAll(byte[] bytes, Func<int, int> nextChunk)
    {
        using var reader = new RespReader(initialSize: 16);
        var values = new List<RespValue>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var size = Math.Min(nextChunk(offset), bytes.Length - offset);
            var target = reader.GetWriteMemory(Math.Min(size, 8192));
            size = Math.Min(size, target.Length);
            bytes.AsSpan(offset, size).CopyTo(target.Span);
            reader.Advance(size);
            offset += size;
            while (reader.TryRead(out var value))
            {
                values.Add(value);
            }
        }

        Assert.Equal(0, reader.Buffered);
        return values;
    }

    private sealed class Throwing : IReplyParser<int>
    {
        public int Parse(ref RespCursor reply) => throw new FormatException("not the shape I want");
    }

    private static string Render(List<RespValue> values) => string.Join("\n", values.Select(v => v.ToString()));
}
