using System.Globalization;
using System.Runtime.CompilerServices;

namespace DynamoWriter.Redis;

public sealed partial class RedisClient
{
    /// <summary>EVAL script numkeys keys... args...; returns the script's reply (an error reply throws).</summary>
    public Task<RespValue> EvalAsync(string script, IReadOnlyList<string> keys, IReadOnlyList<string> args, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(args);
        var command = new string[3 + keys.Count + args.Count];
        command[0] = "EVAL";
        command[1] = script;
        command[2] = keys.Count.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < keys.Count; i++)
        {
            command[3 + i] = keys[i];
        }

        for (var i = 0; i < args.Count; i++)
        {
            command[3 + keys.Count + i] = args[i];
        }

        return ExecuteAsync(command, ct);
    }

    /// <summary>One SCAN step; a returned cursor of "0" means the iteration is complete.</summary>
    public async Task<(string Cursor, IReadOnlyList<string> Keys)> ScanAsync(string cursor, string? match = null, int count = 100, string? type = null, CancellationToken ct = default)
    {
        var args = new List<string>(8) { "SCAN", cursor };
        if (match is not null)
        {
            args.Add("MATCH");
            args.Add(match);
        }

        args.Add("COUNT");
        args.Add(count.ToString(CultureInfo.InvariantCulture));
        if (type is not null)
        {
            args.Add("TYPE");
            args.Add(type);
        }

        var reply = (await ExecuteAsync(args, ct).ConfigureAwait(false)).Items;
        var keys = reply[1].Items.Select(k => k.AsString()!).ToArray();
        return (reply[0].AsString()!, keys);
    }

    /// <summary>
    /// Every key matching, across the whole SCAN. SCAN may return a key twice; this yields each key once.
    /// Keys added or removed during the iteration may or may not appear.
    /// </summary>
    public async IAsyncEnumerable<string> ScanAllAsync(string? match = null, string? type = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            (cursor, var keys) = await ScanAsync(cursor, match, 1000, type, ct).ConfigureAwait(false);
            foreach (var key in keys)
            {
                if (seen.Add(key))
                {
                    yield return key;
                }
            }
        }
        while (cursor != "0");
    }

    /// <summary>SET key value [PX ms].</summary>
    public async Task SetAsync(string key, string value, TimeSpan? expiry = null, CancellationToken ct = default)
    {
        string[] args = expiry is { } e
            ? ["SET", key, value, "PX", Math.Max(1, (long)Math.Ceiling(e.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)]
            : ["SET", key, value];
        await ExecuteAsync(args, ct).ConfigureAwait(false);
    }

    /// <summary>GET; null for a missing key.</summary>
    public async Task<string?> GetAsync(string key, CancellationToken ct = default) =>
        (await ExecuteAsync(["GET", key], ct).ConfigureAwait(false)).AsString();

    /// <summary>DEL; returns how many keys existed.</summary>
    public async Task<long> DelAsync(IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return 0;
        }

        var args = new string[1 + keys.Count];
        args[0] = "DEL";
        for (var i = 0; i < keys.Count; i++)
        {
            args[1 + i] = keys[i];
        }

        return (await ExecuteAsync(args, ct).ConfigureAwait(false)).AsInt64();
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default) =>
        (await ExecuteAsync(["EXISTS", key], ct).ConfigureAwait(false)).AsInt64() > 0;
}
