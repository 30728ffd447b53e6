using System.Diagnostics;
using System.Globalization;
using System.Text;
using DynamoWriter.Redis.Tests.Fakes;
using DynamoWriter.Redis.Tests.Protocol;
using Xunit.Abstractions;

namespace DynamoWriter.Redis.Tests.Fault;

/// <summary>
/// A fake server that sends large replies in random pieces with small random pauses, as a loaded machine's
/// socket delivers them. Every wait has a watchdog, so a reply that never completes fails the test instead of
/// hanging it.
/// </summary>
[Trait("Category", "Fault")]
public class DribbleStressTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Large_replies_in_random_pieces_all_complete_one_caller()
    {
        await using var server = new FakeRedisServer(Dribbling(seed: 1));
        await using var client = Client(server);

        var clock = Stopwatch.StartNew();
        var done = 0;
        for (var i = 0; i < 5000 && (clock.Elapsed < Budget || done < 100); i++)
        {
            var seed = i.ToString(CultureInfo.InvariantCulture);
            var reply = await client.ExecuteAsync(["BIG", seed]).WaitAsync(Watchdog);
            Assert.Equal(Expected(seed), reply.ToString());
            done++;
        }

        output.WriteLine($"{done} large replies in {clock.Elapsed}");
        Assert.True(done >= 100, $"only {done} replies in {clock.Elapsed}");
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Large_replies_in_random_pieces_all_complete_many_callers()
    {
        await using var server = new FakeRedisServer(Dribbling(seed: 2));
        await using var client = Client(server);

        var clock = Stopwatch.StartNew();
        var total = 0;
        var callers = Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            for (var i = 0; clock.Elapsed < Budget || i < 5; i++)
            {
                var seed = $"{c}-{i}";

                // Sequences like the service's: a pipelined burst of small and large replies, then one more.
                var burst = Enumerable.Range(0, 1 + (i % 4)).Select(k => client.ExecuteAsync(["BIG", $"{seed}-{k}"])).ToArray();
                var replies = await Task.WhenAll(burst).WaitAsync(Watchdog);
                for (var k = 0; k < replies.Length; k++)
                {
                    Assert.Equal(Expected($"{seed}-{k}"), replies[k].ToString());
                }

                Assert.Equal("PONG", (await client.ExecuteAsync(["PING"]).WaitAsync(Watchdog)).AsString());
                Interlocked.Add(ref total, replies.Length);
            }
        })).ToArray();

        await Task.WhenAll(callers).WaitAsync(Watchdog + Budget + Watchdog);
        output.WriteLine($"{total} large replies to 16 callers in {clock.Elapsed}");
        Assert.True(total >= 16 * 5, $"only {total} replies");
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Pending_reread_then_history_then_blocked_reads_all_complete()
    {
        // The sequence of the hang report, through the typed API: XREADGROUP COUNT 500 from 0, XPENDING range on a
        // second client, XREADGROUP from an ID, XREADGROUP BLOCK 200 (answered nil after a pause).
        var random = new Random(3);
        var entries = Enumerable.Range(0, 500).Select(i => ($"{1_700_000_000_000 + i}-0", Payload(random))).ToArray();
        await using var server = new FakeRedisServer(async connection =>
        {
            var chunks = new Random(connection.Number);
            while (await connection.ReadCommandAsync() is { } command)
            {
                var raw = command[0] switch
                {
                    "XREADGROUP" when command.Contains("BLOCK") => "*-1\r\n",
                    "XREADGROUP" => ReadReply("orders", entries),
                    "XPENDING" => PendingReply(entries.Take(100).Select(e => e.Item1)),
                    _ => FakeRedisServer.Default(command)!,
                };
                if (command[0] == "XREADGROUP" && command.Contains("BLOCK"))
                {
                    await Task.Delay(chunks.Next(0, 5));
                }

                await DribbleAsync(connection, Encoding.UTF8.GetBytes(raw), chunks);
            }
        });
        await using var reader = Client(server);
        await using var shared = Client(server);

        var clock = Stopwatch.StartNew();
        var rounds = 0;
        while (clock.Elapsed < Budget || rounds < 10)
        {
            var pending = await reader.XReadGroupAsync("g", "c", [("orders", "0")], 500, null).WaitAsync(Watchdog);
            Assert.Equal(500, pending.Count);
            Assert.Equal(entries[^1].Item2, pending[^1].Fields[0].Value);

            var range = await shared.XPendingRangeAsync("orders", "g", "-", "+", 100, "c").WaitAsync(Watchdog);
            Assert.Equal(100, range.Count);

            var history = await reader.XReadGroupAsync("g", "c", [("orders", pending[^1].Id)], 500, null).WaitAsync(Watchdog);
            Assert.Equal(500, history.Count);

            var fresh = await reader.XReadGroupAsync("g", "c", [("orders", ">")], 500, TimeSpan.FromMilliseconds(200)).WaitAsync(Watchdog);
            Assert.Empty(fresh);
            rounds++;
        }

        output.WriteLine($"{rounds} rounds of XREADGROUP 0, XPENDING, XREADGROUP id, XREADGROUP BLOCK in {clock.Elapsed}");
        Assert.Equal(2, server.ConnectionCount);
    }

    private static RedisClient Client(FakeRedisServer server) =>
        new(new RedisClientOptions { Address = server.Address, ReconnectBackoffMax = TimeSpan.FromMilliseconds(50) });

    private static string Expected(string seed) =>
        RespReaderStressTests.RandomReply(new Random(StableHash(seed))).Rendered;

    // Answers BIG <seed> with a random realistic reply, in random pieces; anything else like a healthy server.
    private static Func<FakeConnection, Task> Dribbling(int seed) => async connection =>
    {
        var chunks = new Random(seed * 1000 + connection.Number);
        while (await connection.ReadCommandAsync() is { } command)
        {
            var raw = command[0] == "BIG"
                ? RespReaderStressTests.RandomReply(new Random(StableHash(command[1]))).Raw
                : Encoding.UTF8.GetBytes(FakeRedisServer.Default(command)!);
            await DribbleAsync(connection, raw, chunks);
        }
    };

    private static async Task DribbleAsync(FakeConnection connection, byte[] raw, Random random)
    {
        var offset = 0;
        while (offset < raw.Length)
        {
            var size = random.Next(4) switch
            {
                0 => random.Next(1, 16),
                1 => random.Next(1, 2000),
                _ => random.Next(1, 20_000),
            };
            size = Math.Min(size, raw.Length - offset);
            await connection.SendAsync(raw.AsMemory(offset, size));
            offset += size;
            switch (random.Next(40))
            {
                case 0:
                    await Task.Delay(1);
                    break;
                case < 8:
                    await Task.Yield();
                    break;
                default:
                    break;
            }
        }
    }

    private static string ReadReply(string stream, IEnumerable<(string Id, string Value)> entries)
    {
        var list = entries.ToList();
        var text = new StringBuilder("*1\r\n*2\r\n");
        Bulk(text, stream);
        text.Append('*').Append(list.Count).Append("\r\n");
        foreach (var (id, value) in list)
        {
            text.Append("*2\r\n");
            Bulk(text, id);
            text.Append("*2\r\n");
            Bulk(text, "payload");
            Bulk(text, value);
        }

        return text.ToString();
    }

    private static string PendingReply(IEnumerable<string> ids)
    {
        var list = ids.ToList();
        var text = new StringBuilder().Append('*').Append(list.Count).Append("\r\n");
        foreach (var id in list)
        {
            text.Append("*4\r\n");
            Bulk(text, id);
            Bulk(text, "c");
            text.Append(":1234\r\n:1\r\n");
        }

        return text.ToString();
    }

    private static string Payload(Random random) =>
        new(Enumerable.Range(0, random.Next(10) == 0 ? random.Next(1000, 4200) : random.Next(20, 120)).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());

    private static void Bulk(StringBuilder text, string value) =>
        text.Append('$').Append(Encoding.UTF8.GetByteCount(value)).Append("\r\n").Append(value).Append("\r\n");

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
