using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.Operations.Nodes;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Tests.Scale;

/// <summary>What the three-node test reads from the processes' output, Redis and DynamoDB.</summary>
public sealed partial class ThreeNodeTests
{
    /// <summary>The keys of the entries pending in <paramref name="consumers"/>' lists.</summary>
    private static async Task<List<string>> HeldEntriesAsync(IDatabase redis, string[] streams, string group, HashSet<string> consumers, Dictionary<(string Stream, string Id), string> pkOf)
    {
        var held = new List<string>();
        foreach (var stream in streams)
        {
            foreach (var consumer in consumers)
            {
                var pending = await redis.StreamPendingMessagesAsync(stream, group, Total, consumer);
                held.AddRange(pending.Select(p => pkOf[(stream, p.MessageId.ToString())]));
            }
        }

        return held;
    }

    /// <summary>
    /// Removes the keys already in the table (BatchGetItem, keys only) and returns how many are still missing.
    /// Eight requests at a time, so a round over ten thousand keys stays well under a second and the moment
    /// measured is close to the moment the last one was written.
    /// </summary>
    private static async Task<int> RemoveWrittenAsync(IAmazonDynamoDB dynamo, string table, HashSet<string> keys)
    {
        var found = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(keys.Chunk(100).ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, ct) =>
        {
            var response = await dynamo.BatchGetItemAsync(new Dictionary<string, KeysAndAttributes>
            {
                [table] = new() { Keys = chunk.Select(k => new Dictionary<string, AttributeValue> { ["pk"] = new() { S = k } }).ToList(), ProjectionExpression = "pk" },
            }, ct);
            // Unprocessed keys simply stay in the set for the next round.
            foreach (var item in response.Responses.GetValueOrDefault(table) ?? [])
            {
                found.Add(item["pk"].S);
            }
        });
        keys.ExceptWith(found);
        return keys.Count;
    }

    private static async Task<NodeHeartbeat?> HeartbeatOfAsync(ConnectionMultiplexer connection, string group, int processId)
    {
        var server = connection.GetServers().Single();
        await foreach (var key in server.KeysAsync(pattern: NodeHeartbeat.PatternFor(group)))
        {
            if (NodeHeartbeat.FromJson(await connection.GetDatabase().StringGetAsync(key)) is { } beat && beat.ProcessId == processId)
            {
                return beat;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<at>\S+) info: \S+\[1071\] Queue \S+ started as consumer (?<consumer>dynamo-writer-q\d+)", RegexOptions.Multiline)]
    private static partial Regex QueueTakeovers();
}
