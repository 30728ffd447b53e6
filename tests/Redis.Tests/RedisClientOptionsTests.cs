using DynamoWriter.Options;

namespace DynamoWriter.Redis.Tests;

[Trait("Category", "Unit")]
public class RedisClientOptionsTests
{
    [Theory]
    [InlineData("localhost:6379", "localhost", 6379)]
    [InlineData("redis.internal", "redis.internal", 6379)]
    [InlineData("10.0.0.1:7000", "10.0.0.1", 7000)]
    [InlineData("[::1]:6380", "::1", 6380)]
    [InlineData("[::1]", "::1", 6379)]
    [InlineData("::1", "::1", 6379)]
    [InlineData(" host:1 ", "host", 1)]
    public void Parses_addresses(string address, string host, int port) =>
        Assert.Equal((host, port), new RedisClientOptions { Address = address }.ParseAddress());

    [Theory]
    [InlineData("")]
    [InlineData(":6379")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("host:port")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    public void Rejects_bad_addresses(string address) =>
        Assert.Throws<FormatException>(() => new RedisClientOptions { Address = address }.ParseAddress());

    [Fact]
    public void Builds_from_server_options()
    {
        var options = RedisClientOptions.From(new RedisServerOptions { Address = "h:1", Username = "u", Password = "p", Db = 3, Tls = true }, "me");

        Assert.Equal("h:1", options.Address);
        Assert.Equal("u", options.Username);
        Assert.Equal("p", options.Password);
        Assert.Equal(3, options.Database);
        Assert.True(options.Tls);
        Assert.Equal("me", options.ClientName);
        Assert.Equal(RedisClientOptions.DefaultConnectTimeout, options.ConnectTimeout);
    }

    [Fact]
    public void Empty_server_fields_become_defaults_and_nulls()
    {
        var options = RedisClientOptions.From(new RedisServerOptions(), null);

        Assert.Equal(RedisClientOptions.DefaultAddress, options.Address);
        Assert.Null(options.Username);
        Assert.Null(options.Password);
        Assert.Null(options.ClientName);
    }

    [Fact]
    public void The_client_rejects_a_bad_address_up_front() =>
        Assert.Throws<FormatException>(() => new RedisClient(new RedisClientOptions { Address = "host:port" }));

    [Fact]
    public void Command_timeout_defaults_to_thirty_seconds_and_a_block_adds_to_it()
    {
        var options = new RedisClientOptions();

        Assert.Equal(TimeSpan.FromSeconds(30), options.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ReplyTimeout(block: null));
        Assert.Equal(TimeSpan.FromMilliseconds(30_200), options.ReplyTimeout(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void Block_zero_a_disabled_timeout_and_an_enormous_one_mean_no_limit()
    {
        Assert.Null(new RedisClientOptions().ReplyTimeout(TimeSpan.Zero));
        Assert.Null(new RedisClientOptions().ReplyTimeout(TimeSpan.FromSeconds(-1)));
        Assert.Null(new RedisClientOptions { CommandTimeout = TimeSpan.Zero }.ReplyTimeout(null));
        Assert.Null(new RedisClientOptions { CommandTimeout = Timeout.InfiniteTimeSpan }.ReplyTimeout(TimeSpan.FromSeconds(1)));
        Assert.Null(new RedisClientOptions().ReplyTimeout(TimeSpan.MaxValue));
    }
}
