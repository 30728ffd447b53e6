using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations;

/// <summary>Key walks StackExchange.Redis has no helper for: SCAN with a TYPE filter, on the database's own server.</summary>
internal static class RedisKeys
{
    private const int ScanCount = 1000;

    /// <summary>
    /// Every key matching <paramref name="pattern"/> (and of <paramref name="type"/> when given), each once
    /// (SCAN may repeat a key). <c>IServer.KeysAsync</c> has no TYPE option, hence SCAN by hand.
    /// </summary>
    public static async IAsyncEnumerable<string> ScanAsync(IDatabaseAsync db, string pattern, string? type, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            object[] args = type is null
                ? [cursor, "MATCH", pattern, "COUNT", ScanCount]
                : [cursor, "MATCH", pattern, "COUNT", ScanCount, "TYPE", type];
            var reply = await db.ExecuteAsync("SCAN", args).WaitAsync(cancellationToken).ConfigureAwait(false);
            var parts = (RedisResult[])reply!;
            cursor = (string?)parts[0] ?? "0";
            foreach (var key in (RedisResult[])parts[1]!)
            {
                if ((string?)key is { } k && seen.Add(k))
                {
                    yield return k;
                }
            }
        }
        while (cursor != "0");
    }

    /// <summary>True for a server error reply whose code is <paramref name="code"/> (NOGROUP, WRONGTYPE, ...).</summary>
    public static bool IsError(RedisServerException ex, string code) =>
        ex.Message.StartsWith(code, StringComparison.Ordinal);
}
