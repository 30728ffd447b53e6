using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>What the multi-process tests read from the processes' output and from Redis.</summary>
internal static partial class ClusterProbes
{
    /// <summary>Entries not yet acknowledged: pending ones, plus one for each stream whose group has not read up to its last ID.</summary>
    public static async Task<long> OpenEntriesAsync(IDatabase redis, string[] streams, string group)
    {
        var open = 0L;
        foreach (var stream in streams)
        {
            // Compared with the stream's own last ID: pipelined XADDs need not finish in the order they were issued.
            var last = (await redis.StreamInfoAsync(stream)).LastGeneratedId.ToString();
            var info = await TestRedis.GroupAsync(redis, stream, group);
            open += info is { } g ? g.PendingMessageCount + (g.LastDeliveredId == last ? 0 : 1) : 1;
        }

        return open;
    }

    /// <summary>The consumers (queues) a process reads at the moment: started (event 1071) and not stopped since (1072).</summary>
    public static HashSet<string> QueuesHeld(string output)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in QueueEvent().Matches(output))
        {
            if (m.Groups["started"].Success)
            {
                held.Add(m.Groups["consumer"].Value);
            }
            else
            {
                held.Remove(m.Groups["consumer"].Value);
            }
        }

        return held;
    }

    public static async Task<long> AcknowledgedAsync(IDatabase redis, string[] streams, string group)
    {
        long acknowledged = 0;
        foreach (var stream in streams)
        {
            var info = await TestRedis.GroupAsync(redis, stream, group);
            acknowledged += info is { } g ? (g.EntriesRead ?? 0) - g.PendingMessageCount : 0;
        }

        return acknowledged;
    }

    [GeneratedRegex(@"^dynamo-writer-q\d+$")]
    public static partial Regex QueueConsumer();

    [GeneratedRegex(@"\(consumer (?<consumer>dynamo-writer-q\d+)\) stopped|started as consumer (?<consumer>dynamo-writer-q\d+)(?<started>)")]
    public static partial Regex QueueEvent();
}
