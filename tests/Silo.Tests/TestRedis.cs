using System.Globalization;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests;

/// <summary>The tests' own StackExchange.Redis connection to a test server, and the producing they share.</summary>
internal static class TestRedis
{
    /// <summary>
    /// Connects to <paramref name="address"/> (host:port). AbortOnConnectFail is off, so a server that is
    /// restarting is retried in the background instead of failing the test at once.
    /// </summary>
    public static ConnectionMultiplexer Connect(string address)
    {
        var options = ConfigurationOptions.Parse(address);
        options.AbortOnConnectFail = false;
        options.ClientName = "dynamo-writer-tests";
        options.SyncTimeout = 30_000;
        options.AsyncTimeout = 30_000;
        return ConnectionMultiplexer.Connect(options);
    }

    /// <summary>
    /// XADDs entries <c>{pk: i, n: i}</c> for i in [<paramref name="from"/>, <paramref name="to"/>), pipelined;
    /// returns their ids in the order of i.
    /// </summary>
    public static async Task<List<string>> ProduceAsync(IDatabase db, string stream, int from, int to, Func<int, NameValueEntry[]>? fields = null)
    {
        fields ??= i =>
        {
            var pk = i.ToString(CultureInfo.InvariantCulture);
            return [new("pk", pk), new("n", pk)];
        };
        var tasks = new List<Task<RedisValue>>(to - from);
        for (var i = from; i < to; i++)
        {
            tasks.Add(db.StreamAddAsync(stream, fields(i)));
        }

        return [.. (await Task.WhenAll(tasks)).Select(id => id.ToString())];
    }

    /// <summary>The group's XINFO GROUPS row, or null when the stream or the group does not exist (yet).</summary>
    public static async Task<StreamGroupInfo?> GroupAsync(IDatabase db, string stream, string group)
    {
        try
        {
            return (await db.StreamGroupInfoAsync(stream)).Cast<StreamGroupInfo?>().SingleOrDefault(g => g!.Value.Name == group);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }
}
