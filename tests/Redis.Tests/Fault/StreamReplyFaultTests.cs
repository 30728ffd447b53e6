using System.Text;
using DynamoWriter.Redis.Tests.Fakes;

namespace DynamoWriter.Redis.Tests.Fault;

/// <summary>
/// The stream commands whose replies the read loop parses straight into entries: error and nil replies,
/// shapes the direct parser does not know, and pipelined replies arriving a byte at a time, through the client.
/// </summary>
[Trait("Category", "Fault")]
public class StreamReplyFaultTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private const string OneEntry = "*1\r\n*2\r\n$6\r\norders\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";

    [Fact]
    public async Task Error_replies_to_stream_commands_are_typed_exceptions_and_the_connection_stays_usable()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] switch
        {
            "XREADGROUP" when c[2] == "missing" => "-NOGROUP No such key 'orders' or consumer group 'missing' in XREADGROUP with GROUP option\r\n",
            "XREADGROUP" => OneEntry,
            "XAUTOCLAIM" => "-NOGROUP No such key 'orders' or consumer group 'g'\r\n",
            "XRANGE" => "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            _ => FakeRedisServer.Default(c),
        }));
        await using var client = Client(server);

        var read = await Assert.ThrowsAsync<RedisServerException>(() => client.XReadGroupAsync("missing", "c", [("orders", ">")], 10, null).WaitAsync(Deadline));
        Assert.Equal("NOGROUP", read.ErrorCode);
        Assert.Equal("NOGROUP No such key 'orders' or consumer group 'missing' in XREADGROUP with GROUP option", read.Message);

        var claim = await Assert.ThrowsAsync<RedisServerException>(() => client.XAutoClaimAsync("orders", "g", "c", TimeSpan.Zero, "0-0", 10).WaitAsync(Deadline));
        Assert.Equal("NOGROUP", claim.ErrorCode);

        var range = await Assert.ThrowsAsync<RedisServerException>(() => client.XRangeAsync("orders", "-", "+").WaitAsync(Deadline));
        Assert.Equal("WRONGTYPE", range.ErrorCode);

        var entry = Assert.Single(await client.XReadGroupAsync("g", "c", [("orders", ">")], 10, null).WaitAsync(Deadline));
        Assert.Equal(new StreamField("f", "v"), Assert.Single(entry.Fields));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Nil_replies_and_nil_field_lists_read_as_empty()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] switch
        {
            // A block that timed out; a pending re-read with one entry deleted since delivery.
            "XREADGROUP" when c.Contains("BLOCK") => "*-1\r\n",
            "XREADGROUP" => "*1\r\n*2\r\n$6\r\norders\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",

            // Redis 6.2: deleted entries among the claimed ones, with nil fields and no third element.
            "XAUTOCLAIM" when c[5] == "0-0" => "*2\r\n$3\r\n3-0\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",

            // Redis 7: deleted IDs in the third element.
            "XAUTOCLAIM" => "*3\r\n$3\r\n0-0\r\n*0\r\n*2\r\n$3\r\n4-0\r\n$3\r\n5-0\r\n",
            "XRANGE" => "*0\r\n",
            _ => FakeRedisServer.Default(c),
        }));
        await using var client = Client(server);

        Assert.Empty(await client.XReadGroupAsync("g", "c", [("orders", ">")], 10, TimeSpan.FromMilliseconds(10)).WaitAsync(Deadline));

        var pending = await client.XReadGroupAsync("g", "c", [("orders", "0")], 10, null).WaitAsync(Deadline);
        Assert.Equal(["1-0", "2-0"], pending.Select(e => e.Id));
        Assert.Empty(pending[0].Fields);
        Assert.Equal("v", pending[1].GetField("f"));

        var old = await client.XAutoClaimAsync("orders", "g", "c", TimeSpan.Zero, "0-0", 10).WaitAsync(Deadline);
        Assert.Equal("3-0", old.NextStart);
        Assert.Equal(["1-0", "2-0"], old.Entries.Select(e => e.Id));
        Assert.Empty(old.Entries[0].Fields);
        Assert.All(old.Entries, e => Assert.Equal("orders", e.Stream));
        Assert.Empty(old.DeletedIds);

        var current = await client.XAutoClaimAsync("orders", "g", "c", TimeSpan.Zero, "3-0", 10).WaitAsync(Deadline);
        Assert.Equal("0-0", current.NextStart);
        Assert.Empty(current.Entries);
        Assert.Equal(["4-0", "5-0"], current.DeletedIds);

        Assert.Empty(await client.XRangeAsync("orders", "-", "+").WaitAsync(Deadline));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task A_shape_the_direct_parser_does_not_know_fails_like_before_and_only_its_own_command()
    {
        // XREADGROUP answered with an integer: the RespValue path gave InvalidCastException, and still does.
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] switch
        {
            "XREADGROUP" when c[2] == "odd" => ":1\r\n",
            "XREADGROUP" => OneEntry,
            _ => FakeRedisServer.Default(c),
        }));
        await using var client = Client(server);

        var odd = client.XReadGroupAsync("odd", "c", [("orders", ">")], 10, null);
        var next = client.XReadGroupAsync("g", "c", [("orders", ">")], 10, null);
        var ping = client.PingAsync();

        await Assert.ThrowsAsync<InvalidCastException>(() => odd.WaitAsync(Deadline));
        Assert.Equal("1-0", Assert.Single(await next.WaitAsync(Deadline)).Id);
        await ping.WaitAsync(Deadline);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Pipelined_stream_and_other_replies_arriving_a_byte_at_a_time_reach_their_callers()
    {
        await using var server = new FakeRedisServer(async connection =>
        {
            while (await connection.ReadCommandAsync() is { } command)
            {
                var raw = command[0] switch
                {
                    "XREADGROUP" => ReadReply(command[^2], int.Parse(command[5], System.Globalization.CultureInfo.InvariantCulture)),
                    "XRANGE" => "*1\r\n*2\r\n$3\r\n9-0\r\n*2\r\n$1\r\nr\r\n$1\r\ns\r\n",
                    "XAUTOCLAIM" => "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$3\r\n8-0\r\n",
                    _ => FakeRedisServer.Default(command)!,
                };
                foreach (var b in Encoding.UTF8.GetBytes(raw))
                {
                    await connection.SendAsync(new[] { b });
                }
            }
        });
        await using var client = Client(server);

        var reads = Enumerable.Range(1, 6).Select(n => client.XReadGroupAsync("g", "c", [($"s{n}", ">")], n, null)).ToArray();
        var echo = client.ExecuteAsync(["ECHO", "between"]);
        var range = client.XRangeAsync("r", "-", "+");
        var claim = client.XAutoClaimAsync("a", "g", "c", TimeSpan.Zero, "0-0", 10);

        for (var n = 1; n <= reads.Length; n++)
        {
            var entries = await reads[n - 1].WaitAsync(Deadline);
            Assert.Equal(n, entries.Count);
            Assert.All(entries, e => Assert.Equal($"s{n}", e.Stream));
            Assert.Equal($"value {n - 1} \u2713", entries[^1].GetField("payload"));
        }

        Assert.Equal("between", (await echo.WaitAsync(Deadline)).AsString());
        Assert.Equal("r", Assert.Single(Assert.Single(await range.WaitAsync(Deadline)).Fields).Name);
        Assert.Equal(["8-0"], (await claim.WaitAsync(Deadline)).DeletedIds);
        Assert.Equal(1, server.ConnectionCount);
    }

    private static RedisClient Client(FakeRedisServer server) =>
        new(new RedisClientOptions { Address = server.Address, ReconnectBackoffMax = TimeSpan.FromMilliseconds(50) });

    private static string ReadReply(string stream, int count)
    {
        var text = new StringBuilder("*1\r\n*2\r\n");
        Bulk(text, stream);
        text.Append('*').Append(count).Append("\r\n");
        for (var i = 0; i < count; i++)
        {
            text.Append("*2\r\n");
            Bulk(text, $"{i + 1}-0");
            text.Append("*2\r\n");
            Bulk(text, "payload");
            Bulk(text, $"value {i} \u2713");
        }

        return text.ToString();
    }

    private static void Bulk(StringBuilder text, string value) =>
        text.Append('$').Append(Encoding.UTF8.GetByteCount(value)).Append("\r\n").Append(value).Append("\r\n");
}
