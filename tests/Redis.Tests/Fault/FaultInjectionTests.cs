using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using DynamoWriter.Redis.Tests.Fakes;

namespace DynamoWriter.Redis.Tests.Fault;

[Trait("Category", "Fault")]
public class FaultInjectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Error_reply_is_a_typed_exception_and_the_connection_stays_usable()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] == "GET"
            ? "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
            : FakeRedisServer.Default(c)));
        await using var client = Client(server);

        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.GetAsync("k").WaitAsync(Deadline));
        Assert.Equal("WRONGTYPE", error.ErrorCode);
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", error.Message);

        await client.PingAsync().WaitAsync(Deadline);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Connection_closed_mid_reply_fails_the_command_and_the_next_one_reconnects()
    {
        await using var server = new FakeRedisServer(async connection =>
        {
            while (await connection.ReadCommandAsync() is { } command)
            {
                if (connection.Number == 1)
                {
                    await connection.SendAsync("$10\r\nabc");
                    connection.Close();
                    return;
                }

                await connection.SendAsync("$3\r\nabc\r\n");
            }
        });
        await using var client = Client(server);

        var dropped = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetAsync("k").WaitAsync(Deadline));
        Assert.Contains("closed", dropped.Message, StringComparison.OrdinalIgnoreCase);

        Assert.Equal("abc", await client.GetAsync("k").WaitAsync(Deadline));
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task Every_in_flight_command_fails_when_the_connection_drops()
    {
        await using var server = new FakeRedisServer(async connection =>
        {
            var received = 0;
            while (await connection.ReadCommandAsync() is not null)
            {
                if (++received == 20)
                {
                    connection.Close();
                    return;
                }
            }
        });
        await using var client = Client(server);

        var pings = Enumerable.Range(0, 20).Select(_ => client.PingAsync()).ToArray();

        foreach (var ping in pings)
        {
            await Assert.ThrowsAsync<RedisConnectionException>(() => ping.WaitAsync(Deadline));
        }
    }

    [Fact]
    public async Task Refused_then_accepted_reconnects_with_backoff()
    {
        var port = FreePort();
        await using var client = new RedisClient(new RedisClientOptions
        {
            Address = $"127.0.0.1:{port}",
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
        });

        var refused = await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync().WaitAsync(Deadline));
        Assert.IsType<SocketException>(refused.InnerException);
        Assert.Equal(1, client.FailedConnectAttempts);
        Assert.False(client.IsConnected);

        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => FakeRedisServer.Default(c)), port);
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
        }, "a ping to succeed once the server listens");

        Assert.True(client.IsConnected);
        Assert.Equal(0, client.FailedConnectAttempts);
    }

    [Fact]
    public async Task Handshake_runs_again_on_every_new_connection()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((connection, c) =>
            connection.Number == 1 && c[0] == "PING" ? null : FakeRedisServer.Default(c)));
        await using var client = new RedisClient(new RedisClientOptions
        {
            Address = server.Address,
            Username = "app",
            Password = "s3cret",
            Database = 3,
            ClientName = "writer-1",
        });

        await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync().WaitAsync(Deadline));
        await client.PingAsync().WaitAsync(Deadline);

        string[][] handshake = [["AUTH", "app", "s3cret"], ["SELECT", "3"], ["CLIENT", "SETNAME", "writer-1"], ["PING"]];
        Assert.Equal(handshake, server.CommandsOn(1).ToArray());
        Assert.Equal(handshake, server.CommandsOn(2).ToArray());
    }

    [Fact]
    public async Task Password_without_user_sends_the_one_argument_auth()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => FakeRedisServer.Default(c)));
        await using var client = new RedisClient(new RedisClientOptions { Address = server.Address, Password = "pw" });

        await client.PingAsync().WaitAsync(Deadline);

        Assert.Equal([["AUTH", "pw"], ["PING"]], server.CommandsOn(1).ToArray());
    }

    [Fact]
    public async Task Rejected_auth_is_a_connection_error_carrying_the_server_reply()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] == "AUTH"
            ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
            : FakeRedisServer.Default(c)));
        await using var client = new RedisClient(new RedisClientOptions { Address = server.Address, Password = "bad" });

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync().WaitAsync(Deadline));

        Assert.Equal("WRONGPASS", Assert.IsType<RedisServerException>(error.InnerException).ErrorCode);
        Assert.DoesNotContain("bad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_times_out()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, _) => ""));
        await using var client = new RedisClient(new RedisClientOptions
        {
            Address = server.Address,
            Password = "pw",
            ConnectTimeout = TimeSpan.FromMilliseconds(200),
        });

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync().WaitAsync(Deadline));

        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_wait_does_not_shift_later_replies()
    {
        // The server answers "slow" only once "fast" has arrived, then both, in order.
        await using var server = new FakeRedisServer(async connection =>
        {
            var held = new List<string>();
            while (await connection.ReadCommandAsync() is { } command)
            {
                held.Add(command[1]);
                if (command[1] == "fast")
                {
                    foreach (var value in held)
                    {
                        await connection.SendAsync($"${value.Length}\r\n{value}\r\n");
                    }

                    held.Clear();
                }
            }
        });
        await using var client = Client(server);
        using var cts = new CancellationTokenSource();

        var slow = client.GetAsync("slow", cts.Token);
        await Wait.UntilAsync(() => server.Received.Count == 1, "the server to receive GET slow");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.WaitAsync(Deadline));

        Assert.Equal("fast", await client.GetAsync("fast").WaitAsync(Deadline));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Cancelling_a_blocked_read_drops_the_connection_and_the_next_command_reconnects()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] == "XREADGROUP" ? "" : FakeRedisServer.Default(c)));
        await using var client = Client(server);
        using var cts = new CancellationTokenSource();

        var read = client.XReadGroupAsync("g", "c", [("s", ">")], 10, TimeSpan.Zero, cts.Token);
        await Wait.UntilAsync(() => server.Received.Any(r => r.Command[0] == "XREADGROUP"), "the server to receive XREADGROUP");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Deadline));
        Assert.False(client.IsConnected);
        await client.PingAsync().WaitAsync(Deadline);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task Cancelling_a_non_blocking_command_keeps_the_connection()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] == "GET" ? "" : FakeRedisServer.Default(c)));
        await using var client = Client(server);
        using var cts = new CancellationTokenSource();

        var get = client.GetAsync("k", cts.Token);
        await Wait.UntilAsync(() => server.Received.Any(r => r.Command[0] == "GET"), "the server to receive GET");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(Deadline));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => FakeRedisServer.Default(c)));
        await using var client = Client(server);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PingAsync(new CancellationToken(canceled: true)));

        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task Garbage_from_the_server_is_a_protocol_error_and_drops_the_connection()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((connection, c) =>
            connection.Number == 1 ? "?garbage\r\n" : FakeRedisServer.Default(c)));
        await using var client = Client(server);

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync().WaitAsync(Deadline));

        Assert.IsType<RedisProtocolException>(error.InnerException);
        await client.PingAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task Exec_returning_null_is_an_aborted_transaction()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] switch
        {
            "EXEC" => "*-1\r\n",
            "MULTI" => "+OK\r\n",
            _ => "+QUEUED\r\n",
        }));
        await using var client = Client(server);

        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.ExecuteTransactionAsync([["SET", "a", "1"]]).WaitAsync(Deadline));

        Assert.Equal("EXECABORT", error.ErrorCode);
        Assert.Equal([["MULTI"], ["SET", "a", "1"], ["EXEC"]], server.CommandsOn(1).ToArray());
    }

    [Fact]
    public async Task Disposing_fails_in_flight_commands_and_refuses_new_ones()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] == "GET" ? "" : FakeRedisServer.Default(c)));
        var client = Client(server);
        await client.PingAsync().WaitAsync(Deadline);
        var get = client.GetAsync("k");
        await Wait.UntilAsync(() => server.Received.Any(r => r.Command[0] == "GET"), "the server to receive GET");

        await client.DisposeAsync();

        await Assert.ThrowsAsync<RedisConnectionException>(() => get.WaitAsync(Deadline));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.PingAsync());
    }

    [Fact]
    public async Task Pipelined_replies_are_matched_in_order()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => FakeRedisServer.Default(c)));
        await using var client = Client(server);

        var echoes = Enumerable.Range(0, 2000)
            .Select(i => client.ExecuteAsync(["ECHO", i.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            .ToArray();
        var replies = await Task.WhenAll(echoes).WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), replies.Select(r => r.AsString()));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Tls_with_an_untrusted_certificate_needs_the_opt_in()
    {
        using var certificate = SelfSignedCertificate.Create("localhost");
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => FakeRedisServer.Default(c)), certificate: certificate);

        await using (var trusting = new RedisClient(new RedisClientOptions
        {
            Address = $"localhost:{server.Port}",
            Tls = true,
            TlsAllowUntrustedCertificate = true,
        }))
        {
            await trusting.PingAsync().WaitAsync(Deadline);
            Assert.Equal("hi", (await trusting.ExecuteAsync(["ECHO", "hi"]).WaitAsync(Deadline)).AsString());
        }

        await using var strict = new RedisClient(new RedisClientOptions { Address = $"localhost:{server.Port}", Tls = true });
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => strict.PingAsync().WaitAsync(Deadline));
        Assert.IsType<AuthenticationException>(error.InnerException);
    }

    [Fact]
    public async Task A_reply_that_never_comes_times_out_closes_the_connection_and_the_next_command_reconnects()
    {
        // Connection 1 swallows GET (and everything after it); later connections answer normally.
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((connection, c) =>
            connection.Number == 1 && c[0] != "PING" ? "" : c[0] == "GET" ? "$2\r\nok\r\n" : FakeRedisServer.Default(c)));
        await using var client = new RedisClient(new RedisClientOptions
        {
            Address = server.Address,
            CommandTimeout = TimeSpan.FromMilliseconds(300),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
        });
        await client.PingAsync().WaitAsync(Deadline);

        var get = client.GetAsync("k");
        var behind = client.ExecuteAsync(["ECHO", "behind"]);

        // Whichever of the two times out first closes the connection, failing the other: a reply arriving
        // after that could no longer be told apart. Either way each caller learns it was a timeout.
        foreach (var command in new Task[] { get, behind })
        {
            var error = await Assert.ThrowsAsync<RedisConnectionException>(() => command.WaitAsync(Deadline));
            Assert.IsType<TimeoutException>(error.InnerException);
            Assert.Contains("no reply to", error.Message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.False(client.IsConnected);

        Assert.Equal("ok", await client.GetAsync("k").WaitAsync(Deadline));
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task A_batch_without_replies_times_out()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((connection, c) =>
            connection.Number == 1 && c[0] == "EXEC" ? "" : c[0] switch { "MULTI" => "+OK\r\n", "EXEC" => "*1\r\n+OK\r\n", _ => "+QUEUED\r\n" }));
        await using var client = new RedisClient(new RedisClientOptions
        {
            Address = server.Address,
            CommandTimeout = TimeSpan.FromMilliseconds(300),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
        });

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteTransactionAsync([["SET", "a", "1"]]).WaitAsync(Deadline));

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Single(await client.ExecuteTransactionAsync([["SET", "a", "1"]]).WaitAsync(Deadline));
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task A_blocked_read_waits_its_block_time_plus_the_command_timeout()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] == "XREADGROUP" ? "" : FakeRedisServer.Default(c)));
        await using var client = new RedisClient(new RedisClientOptions
        {
            Address = server.Address,
            CommandTimeout = TimeSpan.FromMilliseconds(200),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
        });
        await client.PingAsync().WaitAsync(Deadline);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(
            () => client.XReadGroupAsync("g", "c", [("s", ">")], 10, TimeSpan.FromMilliseconds(600)).WaitAsync(Deadline));

        // A lower bound only: the command timeout alone (200 ms) must not cut a 600 ms block short.
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(600), $"gave up after {started.Elapsed}");
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.False(client.IsConnected);
        await client.PingAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task Without_a_command_timeout_a_silent_server_is_waited_for()
    {
        await using var server = new FakeRedisServer(FakeRedisServer.Replying((_, c) => c[0] == "GET" ? "" : FakeRedisServer.Default(c)));
        await using var client = new RedisClient(new RedisClientOptions { Address = server.Address, CommandTimeout = Timeout.InfiniteTimeSpan });

        var get = client.GetAsync("k");
        await Wait.UntilAsync(() => server.Received.Any(r => r.Command[0] == "GET"), "the server to receive GET");

        await Assert.ThrowsAsync<TimeoutException>(() => get.WaitAsync(TimeSpan.FromMilliseconds(300)));
        Assert.True(client.IsConnected);
    }

    private static RedisClient Client(FakeRedisServer server) =>
        new(new RedisClientOptions { Address = server.Address, ReconnectBackoffMax = TimeSpan.FromMilliseconds(50) });

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
