using DynamoWriter.Tests;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Commands;

/// <summary>
/// Issue #13 from the command line: <c>produce --delete</c> adds tombstones for the keys <c>produce</c> wrote,
/// the service applies them, and <c>peek --key</c> reads single items through BatchGetItem.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeleteCommandTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Produce_delete_removes_the_items_produce_wrote_and_peek_key_shows_what_is_left()
    {
        var stream = TestServers.Unique("cmd-del");
        var table = TestServers.Unique("tbl");
        var env = ServiceEnvironment.For(stream, TestServers.Unique("g"), table);

        await RunAsync(env, 0, "produce", "--stream", stream, "--count", "5");
        await RunAsync(env, 0, "produce", "--stream", stream, "--count", "2", "--delete");
        await using var connection = TestRedis.Connect(TestServers.RedisAddress);
        var tombstones = (await connection.GetDatabase().StreamRangeAsync(stream)).Skip(5).ToList();
        Assert.Equal(
            [["dw:op=delete", "pk=demo-0"], ["dw:op=delete", "pk=demo-1"]],
            tombstones.Select(e => e.Values.Select(v => $"{v.Name}={v.Value}").ToArray()));

        await using (var service = ServiceProcess.Start(env, "run"))
        {
            using var dynamo = TestTables.Client();
            await service.WaitWhileRunningAsync(
                async () => await PendingOrMissingAsync(connection.GetDatabase(), stream, env["SC_STREAM_GROUP"]) == 0 ? await TestTables.CountAsync(dynamo, table) : -1,
                n => n == 3,
                TimeSpan.FromMinutes(1),
                "the puts and deletes to be applied");
        }

        var shown = await RunAsync(env, 0, "peek", "--key", "demo-3");
        Assert.Contains("pk=demo-3", shown, StringComparison.Ordinal);
        Assert.Contains("seq=3", shown, StringComparison.Ordinal);
        var gone = await RunAsync(env, 1, "peek", "--key", "demo-0");
        Assert.Contains("no item with pk = demo-0", gone, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(Dictionary<string, string> env, int expectedExit, params string[] args)
    {
        var (code, output) = await ServiceProcess.RunToEndAsync(env, RunTimeout, args);
        Assert.True(code == expectedExit, $"{string.Join(' ', args)}: exit {code}, expected {expectedExit}: {output}");
        return output;
    }

    /// <summary>Entries of the group not yet acknowledged; -1 while the service has not created the group.</summary>
    private static async Task<long> PendingOrMissingAsync(IDatabase redis, string stream, string group)
    {
        var groups = await redis.StreamGroupInfoAsync(stream);
        return groups.FirstOrDefault(g => g.Name == group) is { Name: not null } info && info.EntriesRead >= 7 ? info.PendingMessageCount : -1;
    }
}
