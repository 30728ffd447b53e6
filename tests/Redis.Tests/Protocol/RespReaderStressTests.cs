using System.Text;
using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis.Tests.Protocol;

/// <summary>
/// Drives <see cref="RespReader"/> the way the connection's read loop does (GetWriteMemory, receive some bytes,
/// Advance, TryRead until false) over long runs of large, realistic replies, and checks that each reply comes
/// out exactly when its last byte went in: a reply held back until more bytes arrive would hang a caller
/// whose server has nothing more to send.
/// </summary>
[Trait("Category", "Fault")]
public class RespReaderStressTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 1024)]
    [InlineData(3, 16 * 1024)]
    [InlineData(4, 4096)]
    [InlineData(5, 16 * 1024)]
    public void Every_reply_is_returned_as_soon_as_its_last_byte_arrives(int seed, int initialSize)
    {
        var random = new Random(seed);
        var replies = new List<byte[]>();
        var expected = new List<string>();
        var size = 0;
        while (size < 6 * 1024 * 1024)
        {
            var (raw, rendered) = RandomReply(random);
            replies.Add(raw);
            expected.Add(rendered);
            size += raw.Length;
        }

        var stream = replies.SelectMany(r => r).ToArray();
        var ends = new long[replies.Count];
        long end = 0;
        for (var i = 0; i < replies.Count; i++)
        {
            end += replies[i].Length;
            ends[i] = end;
        }

        using var reader = new RespReader(initialSize);
        var produced = 0;
        var offset = 0;

        // Chunk sizes switch between regimes, like a socket on an idle machine and one under load.
        var regime = 0;
        while (offset < stream.Length)
        {
            if (random.Next(200) == 0)
            {
                regime = random.Next(4);
            }

            var want = regime switch
            {
                0 => random.Next(1, 8),
                1 => random.Next(1, 1500),
                2 => random.Next(1, 70_000),
                _ => random.Next(2) == 0 ? 1 : random.Next(4000, 20_000),
            };
            var target = reader.GetWriteMemory();
            var count = Math.Min(Math.Min(want, target.Length), stream.Length - offset);
            Assert.True(count > 0, "GetWriteMemory gave no room to receive into.");
            stream.AsSpan(offset, count).CopyTo(target.Span);
            reader.Advance(count);
            offset += count;

            while (reader.TryRead(out var value))
            {
                Assert.True(produced < replies.Count, "More replies than were sent.");
                Assert.True(ends[produced] <= offset, $"Reply {produced} came out before its last byte arrived.");
                Assert.Equal(expected[produced], value.ToString());
                produced++;
            }

            // Every reply whose last byte is in must be out: the server may have nothing more to send.
            var complete = produced;
            while (complete < replies.Count && ends[complete] <= offset)
            {
                complete++;
            }

            Assert.True(complete == produced, $"Reply {produced} is complete at byte {offset} but TryRead returned false ({reader.Buffered} buffered).");
            Assert.Equal(offset - (produced == 0 ? 0 : ends[produced - 1]), reader.Buffered);
        }

        Assert.Equal(replies.Count, produced);
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void Replies_whose_sizes_straddle_the_buffer_size_come_out_at_once()
    {
        // Bulk strings sized around the initial buffer and its doublings, split at every offset near the edges.
        foreach (var initial in new[] { 16 * 1024 })
        {
            foreach (var boundary in new[] { 4096, 8192, initial, 2 * initial, 4 * initial })
            {
                for (var delta = -12; delta <= 12; delta++)
                {
                    var payload = new string('v', boundary + delta);
                    var raw = Encoding.UTF8.GetBytes($"*1\r\n*2\r\n$3\r\nkey\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n${payload.Length}\r\n{payload}\r\n");
                    foreach (var first in new[] { 1, boundary - 1, boundary, boundary + 1, raw.Length - 2, raw.Length - 1 })
                    {
                        using var reader = new RespReader(initial);
                        Feed(reader, raw.AsSpan(0, Math.Clamp(first, 0, raw.Length)));
                        if (first < raw.Length)
                        {
                            Assert.False(reader.TryRead(out _));
                            Feed(reader, raw.AsSpan(first));
                        }

                        Assert.True(reader.TryRead(out var value), $"boundary {boundary}{delta:+#;-#;+0}, first chunk {first}");
                        Assert.Equal(payload, value.Items[0].Items[1].Items[0].Items[1].Items[1].AsString());
                        Assert.Equal(0, reader.Buffered);
                    }
                }
            }
        }
    }

    // Receives like the read loop: into GetWriteMemory's span, never more than it offers.
    private static void Feed(RespReader reader, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var target = reader.GetWriteMemory();
            var count = Math.Min(target.Length, data.Length);
            data[..count].CopyTo(target.Span);
            reader.Advance(count);
            data = data[count..];
        }
    }

    /// <summary>A reply this service really receives: mostly XREADGROUP batches, some XPENDING, XACK and timeouts.</summary>
    internal static (byte[] Raw, string Rendered) RandomReply(Random random)
    {
        var text = new StringBuilder();
        var render = new StringBuilder();
        switch (random.Next(10))
        {
            case 0:
                // XACK / XLEN.
                var n = random.NextInt64(0, 1_000_000);
                text.Append(':').Append(n).Append("\r\n");
                render.Append(':').Append(n);
                break;
            case 1:
                // A block that timed out.
                text.Append("*-1\r\n");
                render.Append("(nil)");
                break;
            case 2:
                // XPENDING range: [[id, consumer, idle, deliveries]...].
                var count = random.Next(0, 300);
                text.Append('*').Append(count).Append("\r\n");
                var items = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    var id = $"{random.NextInt64(1_700_000_000_000, 1_800_000_000_000)}-{random.Next(100)}";
                    var consumer = $"node-{random.Next(10)}";
                    var idle = random.Next(0, 100_000);
                    var deliveries = random.Next(1, 20);
                    text.Append("*4\r\n");
                    Bulk(text, id);
                    Bulk(text, consumer);
                    text.Append(':').Append(idle).Append("\r\n");
                    text.Append(':').Append(deliveries).Append("\r\n");
                    items.Add($"[\"{id}\", \"{consumer}\", :{idle}, :{deliveries}]");
                }

                render.Append('[').Append(string.Join(", ", items)).Append(']');
                break;
            default:
                // XREADGROUP: [[stream, [[id, [field, value...]]...]]], up to 500 entries, deleted ones with nil fields.
                var entries = random.Next(0, 501);
                var stream = $"orders:{random.Next(8)}";
                text.Append("*1\r\n*2\r\n");
                Bulk(text, stream);
                text.Append('*').Append(entries).Append("\r\n");
                var rendered = new List<string>();
                for (var i = 0; i < entries; i++)
                {
                    var id = $"{random.NextInt64(1_700_000_000_000, 1_800_000_000_000)}-{random.Next(100)}";
                    text.Append("*2\r\n");
                    Bulk(text, id);
                    if (random.Next(50) == 0)
                    {
                        text.Append("*-1\r\n");
                        rendered.Add($"[\"{id}\", (nil)]");
                        continue;
                    }

                    var fields = random.Next(8) == 0 ? random.Next(2, 5) : 1;
                    text.Append('*').Append(2 * fields).Append("\r\n");
                    var flat = new List<string>();
                    for (var f = 0; f < fields; f++)
                    {
                        var name = f == 0 ? "payload" : $"h{f}";
                        var value = RandomValue(random);
                        Bulk(text, name);
                        Bulk(text, value);
                        flat.Add($"\"{name}\"");
                        flat.Add($"\"{value}\"");
                    }

                    rendered.Add($"[\"{id}\", [{string.Join(", ", flat)}]]");
                }

                render.Append($"[[\"{stream}\", [{string.Join(", ", rendered)}]]]");
                break;
        }

        return (Encoding.UTF8.GetBytes(text.ToString()), render.ToString());
    }

    private static string RandomValue(Random random)
    {
        // Mostly JSON-sized (a 500-entry batch is 30-60 KB), sometimes empty, now and then around the reader's
        // buffer sizes, with CR/LF and multi-byte UTF-8 inside.
        var length = random.Next(400) switch
        {
            0 => 0,
            1 => random.Next(4090, 4100),
            2 => random.Next(16 * 1024 - 8, 16 * 1024 + 8),
            _ => random.Next(1, 150),
        };
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(40) switch
            {
                0 => '\r',
                1 => '\n',
                2 => '\u00e9',
                _ => (char)random.Next('a', 'z' + 1),
            };
        }

        return new string(chars);
    }

    private static void Bulk(StringBuilder text, string value) =>
        text.Append('$').Append(Encoding.UTF8.GetByteCount(value)).Append("\r\n").Append(value).Append("\r\n");
}
