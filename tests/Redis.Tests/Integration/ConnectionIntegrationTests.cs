using DynamoWriter.Redis.Tests.Fakes;
using DynamoWriter.Tests;

namespace DynamoWriter.Redis.Tests.Integration;

[Trait("Category", "Integration")]
public class ConnectionIntegrationTests
{
    [Fact]
    public async Task Ping_set_get_exists_del()
    {
        await using var client = RealRedis.Client();
        var key = TestServers.Unique("kv");

        await client.PingAsync().Within();
        Assert.Null(await client.GetAsync(key).Within());
        Assert.False(await client.ExistsAsync(key).Within());

        await client.SetAsync(key, "h\u00e9llo \u2713 \ud83c\udf89").Within();
        Assert.Equal("h\u00e9llo \u2713 \ud83c\udf89", await client.GetAsync(key).Within());
        Assert.True(await client.ExistsAsync(key).Within());

        Assert.Equal(1, await client.DelAsync([key, key + "-missing"]).Within());
        Assert.False(await client.ExistsAsync(key).Within());
    }

    [Fact]
    public async Task Set_with_expiry()
    {
        await using var client = RealRedis.Client();
        var key = TestServers.Unique("ttl");

        await client.SetAsync(key, "v", TimeSpan.FromMinutes(1)).Within();

        var ttl = (await client.ExecuteAsync(["PTTL", key]).Within()).AsInt64();
        Assert.InRange(ttl, 1, 60_000);
        await client.DelAsync([key]).Within();
    }

    [Fact]
    public async Task Unknown_command_is_a_server_error()
    {
        await using var client = RealRedis.Client();

        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteAsync(["NOSUCHCOMMAND"]).Within());

        Assert.Equal("ERR", error.ErrorCode);
        await client.PingAsync().Within();
    }

    [Fact]
    public async Task Acl_user_authenticates_with_user_and_password()
    {
        await using var admin = RealRedis.Client();
        var user = TestServers.Unique("user");
        var password = Guid.NewGuid().ToString("N");
        await admin.ExecuteAsync(["ACL", "SETUSER", user, "on", ">" + password, "~*", "&*", "+@all"]).Within();
        try
        {
            await using (var client = RealRedis.Client(o => { o.Username = user; o.Password = password; }))
            {
                Assert.Equal(user, (await client.ExecuteAsync(["ACL", "WHOAMI"]).Within()).AsString());
            }

            await using var wrong = RealRedis.Client(o => { o.Username = user; o.Password = "wrong"; });
            var error = await Assert.ThrowsAsync<RedisConnectionException>(() => wrong.PingAsync().Within());
            Assert.Equal("WRONGPASS", Assert.IsType<RedisServerException>(error.InnerException).ErrorCode);
        }
        finally
        {
            await admin.ExecuteAsync(["ACL", "DELUSER", user]).Within();
        }
    }

    [Fact]
    public async Task Password_only_auth_against_a_server_with_requirepass()
    {
        // The shared server's default user must keep no password, so this one runs its own server.
        await using var server = await OwnRedisServer.StartAsync("--requirepass", "pa55");

        await using (var client = new RedisClient(new RedisClientOptions { Address = server.Address, Password = "pa55" }))
        {
            await client.PingAsync().Within();
            Assert.Equal("default", (await client.ExecuteAsync(["ACL", "WHOAMI"]).Within()).AsString());
        }

        await using var anonymous = new RedisClient(new RedisClientOptions { Address = server.Address });
        var error = await Assert.ThrowsAsync<RedisServerException>(() => anonymous.PingAsync().Within());
        Assert.Equal("NOAUTH", error.ErrorCode);
    }

    [Fact]
    public async Task Select_isolates_databases()
    {
        var key = TestServers.Unique("db");
        await using var db0 = RealRedis.Client();
        await using var db5 = RealRedis.Client(o => o.Database = 5);

        await db5.SetAsync(key, "five").Within();

        Assert.Equal("five", await db5.GetAsync(key).Within());
        Assert.Null(await db0.GetAsync(key).Within());
        await db5.DelAsync([key]).Within();
    }

    [Fact]
    public async Task Client_name_is_set()
    {
        var name = TestServers.Unique("name");
        await using var client = RealRedis.Client(o => o.ClientName = name);

        Assert.Equal(name, (await client.ExecuteAsync(["CLIENT", "GETNAME"]).Within()).AsString());
    }

    [Fact]
    public async Task Killed_connection_reconnects_with_the_same_database_and_name()
    {
        var name = TestServers.Unique("kill");
        var key = TestServers.Unique("kill");
        await using var client = RealRedis.Client(o => { o.ClientName = name; o.Database = 4; });
        await using var admin = RealRedis.Client();
        await client.SetAsync(key, "in-db-4").Within();
        var firstId = (await client.ExecuteAsync(["CLIENT", "ID"]).Within()).AsInt64();

        await admin.ExecuteAsync(["CLIENT", "KILL", "ID", firstId.ToString(System.Globalization.CultureInfo.InvariantCulture)]).Within();
        await Wait.UntilAsync(() => !client.IsConnected, "the client to notice the killed connection");

        Assert.Equal("in-db-4", await client.GetAsync(key).Within());
        Assert.NotEqual(firstId, (await client.ExecuteAsync(["CLIENT", "ID"]).Within()).AsInt64());
        Assert.Equal(name, (await client.ExecuteAsync(["CLIENT", "GETNAME"]).Within()).AsString());
        await client.DelAsync([key]).Within();
    }

    [Fact]
    public async Task Server_restart_fails_in_flight_work_then_reconnects()
    {
        await using var server = await OwnRedisServer.StartAsync();
        await using var client = new RedisClient(new RedisClientOptions
        {
            Address = server.Address,
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(100),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        await client.PingAsync().Within();
        var blocked = client.ExecuteAsync(["BLPOP", TestServers.Unique("never"), "0"]);

        await server.StopAsync();
        await Assert.ThrowsAsync<RedisConnectionException>(() => blocked.Within());
        await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync().Within());

        await server.StartAsync();
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await client.PingAsync();
                return true;
            }
            catch (RedisConnectionException)
            {
                return false;
            }
        }, "the client to reconnect to the restarted server", RealRedis.Deadline);
    }

    [Fact]
    public async Task Ten_thousand_concurrent_commands_get_their_own_replies()
    {
        await using var client = RealRedis.Client();
        const int count = 10_000;
        var prefix = TestServers.Unique("echo");

        var tasks = new Task<RespValue>[count];
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = worker; i < count; i += 8)
            {
                tasks[i] = client.ExecuteAsync(["ECHO", $"{prefix}:{i}"]);
            }
        }))).Within();
        var replies = await Task.WhenAll(tasks).Within();

        for (var i = 0; i < count; i++)
        {
            Assert.Equal($"{prefix}:{i}", replies[i].AsString());
        }
    }

    [Fact]
    public async Task Large_values_round_trip()
    {
        await using var client = RealRedis.Client();
        var key = TestServers.Unique("big");
        var value = string.Concat(Enumerable.Repeat("0123456789\u00e9", 200_000));

        await client.SetAsync(key, value).Within();

        Assert.Equal(value, await client.GetAsync(key).Within());
        await client.DelAsync([key]).Within();
    }

    [Fact]
    public async Task Transaction_returns_exec_replies_including_runtime_errors()
    {
        await using var client = RealRedis.Client();
        var counter = TestServers.Unique("tx");
        var text = TestServers.Unique("tx");
        await client.SetAsync(text, "not a number").Within();

        var replies = await client.ExecuteTransactionAsync([["INCR", counter], ["INCRBY", counter, "5"], ["INCR", text], ["GET", counter]]).Within();

        Assert.Equal(1, replies[0].AsInt64());
        Assert.Equal(6, replies[1].AsInt64());
        Assert.True(replies[2].IsError);
        Assert.Equal("6", replies[3].AsString());
        await client.DelAsync([counter, text]).Within();
    }

    [Fact]
    public async Task Transaction_with_a_bad_command_is_aborted()
    {
        await using var client = RealRedis.Client();
        var key = TestServers.Unique("txabort");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteTransactionAsync([["SET", key, "1"], ["INCR"]]).Within());

        Assert.Equal("EXECABORT", error.ErrorCode);
        Assert.Equal("ERR", Assert.IsType<RedisServerException>(error.InnerException).ErrorCode);
        Assert.False(await client.ExistsAsync(key).Within());
        await client.PingAsync().Within();
    }

    [Fact]
    public async Task Concurrent_transactions_are_never_interleaved()
    {
        await using var client = RealRedis.Client();
        var key = TestServers.Unique("txmix");

        // Interleaving would put a plain command inside someone's MULTI (its reply becomes QUEUED) or nest MULTI (an error).
        var transactions = Enumerable.Range(0, 300).Select(_ => client.ExecuteTransactionAsync([["INCR", key], ["INCR", key]])).ToArray();
        var plain = Enumerable.Range(0, 300).Select(_ => client.ExecuteAsync(["ECHO", "plain"])).ToArray();

        foreach (var replies in await Task.WhenAll(transactions).Within())
        {
            Assert.Equal(replies[0].AsInt64() + 1, replies[1].AsInt64());
        }

        Assert.All(await Task.WhenAll(plain).Within(), r => Assert.Equal("plain", r.AsString()));
        Assert.Equal("600", await client.GetAsync(key).Within());
        await client.DelAsync([key]).Within();
    }

    [Fact]
    public async Task Eval_passes_keys_and_arguments()
    {
        await using var client = RealRedis.Client();
        var key = TestServers.Unique("eval");

        var reply = await client.EvalAsync("redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], ARGV[2], 7}", [key], ["v", "second"]).Within();

        Assert.Equal([key, "second", "7"], reply.Items.Select(i => i.AsString()));
        Assert.Equal("v", await client.GetAsync(key).Within());
        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.EvalAsync("return redis.error_reply('NOPE custom')", [], []).Within());
        Assert.Equal("NOPE", error.ErrorCode);
        await client.DelAsync([key]).Within();
    }

    [Fact]
    public async Task Scan_finds_every_matching_key_once()
    {
        await using var client = RealRedis.Client();
        var prefix = TestServers.Unique("scan");
        var keys = Enumerable.Range(0, 250).Select(i => $"{prefix}:{i}").ToList();
        await Task.WhenAll(keys.Select(k => client.SetAsync(k, "v"))).Within();
        var stream = $"{prefix}:stream";
        await client.XAddAsync(stream, [new StreamField("f", "v")]).Within();

        var found = new List<string>();
        await foreach (var key in client.ScanAllAsync($"{prefix}:*"))
        {
            found.Add(key);
        }

        Assert.Equal(keys.Append(stream).Order(), found.Order());
        var streams = new List<string>();
        await foreach (var key in client.ScanAllAsync($"{prefix}:*", type: "stream"))
        {
            streams.Add(key);
        }

        Assert.Equal([stream], streams);
        var (cursor, page) = await client.ScanAsync("0", $"{prefix}:*", count: 10).Within();
        Assert.NotNull(cursor);
        Assert.True(page.All(k => k.StartsWith(prefix, StringComparison.Ordinal)));
        await client.DelAsync([.. keys, stream]).Within();
    }
}
