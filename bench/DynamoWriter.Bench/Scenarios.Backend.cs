using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;

namespace DynamoWriter.Bench;

/// <summary>Scenarios 1, 3, 3b and 8: what the backend takes with no Redis and no engine in the way.</summary>
internal sealed partial class Scenarios
{
    private const int BatchSize = DynamoDbOptions.MaxBatchSize;

    /// <summary>
    /// A ceiling is the best of several concurrencies, never only the engine's own: on these machines one
    /// setting can measure a third less than another, which would flatter the engine's ratio.
    /// </summary>
    private static readonly int[] CeilingConcurrencies = [16, 32, 64];

    private async Task<Ceiling> BestOfAsync(string name, int count, int engineConcurrency, Func<int, int, Task<CeilingRun>> run)
    {
        var rates = new List<(int Concurrency, CeilingRun Run)>();
        foreach (var concurrency in CeilingConcurrencies.Append(engineConcurrency).Distinct().Order())
        {
            rates.Add((concurrency, await run(count, concurrency)));
        }

        var best = rates.MaxBy(r => r.Run.Rate);
        _report.Notes.Add($"ceiling {name}: best {best.Run.Rate:F0}/s at {best.Concurrency} in flight, {best.Run.CpuMicrosPerItem:F1} µs CPU per item in this process, {best.Run.Gc.Describe(count)} ("
            + string.Join(", ", rates.Select(r => $"{r.Concurrency}: {r.Run.Rate:F0}/s")) + $"; the engine runs {engineConcurrency})");
        return new Ceiling(best.Run.Rate, best.Concurrency, async () => (await run(count, best.Concurrency)).Rate);
    }

    /// <summary>
    /// A ceiling: the best rate of the concurrencies tried, the concurrency it came from, and a second run at that
    /// concurrency for after the drain it is compared with (how far the backend itself moved meanwhile).
    /// </summary>
    public sealed record Ceiling(double Rate, int Concurrency, Func<Task<double>> AgainAsync);

    /// <summary>Items built by the engine's own mapper (with the policy's version attribute) from the same entries the streams would hold.</summary>
    private List<Dictionary<string, AttributeValue>> PrebuiltItems(string prefix, int count, WritePolicy policy)
    {
        var mapper = new ItemMapper(new MappingOptions(), new DynamoDbOptions { WritePolicy = policy });
        return [.. _w.Entries(prefix, count).Select(e => mapper.Map(e, CeilingSchema).Item!.Attributes)];
    }

    private static TableKeySchema CeilingSchema { get; } = new("unused", new KeyAttribute("pk", Amazon.DynamoDBv2.ScalarAttributeType.S), null);

    /// <summary>
    /// Writes and discards a batch ceiling run before anything is measured: DynamoDB Local is a JVM that a fresh
    /// start runs interpreted, so without this the first scenario measures its warm-up (a cold ceiling then read
    /// half of a warm end-to-end drain right after it).
    /// </summary>
    public async Task<double> WarmUpAsync(int count) => (await BatchRateAsync(count, CeilingConcurrencies[^1])).Rate;

    /// <summary>1. Parallel BatchWriteItem of 25 pre-built items: the best of several concurrencies.</summary>
    public Task<Ceiling> BatchCeilingAsync(int count) =>
        BestOfAsync("batch (BatchWriteItem of 25)", count, _w.EngineConcurrency(WritePolicy.Overwrite), BatchRateAsync);

    private Task<CeilingRun> BatchRateAsync(int count, int concurrency) => TimedAsync("ceiling-batch", count, concurrency, WritePolicy.Overwrite, async (table, items, _, take) =>
    {
        while (take(BatchSize) is { } start)
        {
            var requests = items.GetRange(start, Math.Min(BatchSize, items.Count - start))
                .ConvertAll(i => new WriteRequest(new PutRequest(i)));
            while (requests.Count > 0)
            {
                await RetriedAsync(async () =>
                {
                    var response = await _w.Dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [table] = requests } });
                    requests = response.UnprocessedItems is { } u && u.TryGetValue(table, out var left) ? left : [];
                });
            }
        }
    });

    /// <summary>3. Parallel PutItem with skip-existing's condition (attribute_not_exists), the best of several concurrencies.</summary>
    public Task<Ceiling> ConditionalCeilingAsync(int count) =>
        BestOfAsync("conditional (PutItem, skip-existing's condition)", count, _w.EngineConcurrency(WritePolicy.SkipExisting),
            (n, concurrency) => ConditionalRateAsync(n, concurrency, WritePolicy.SkipExisting));

    /// <summary>3b. Parallel PutItem with newer-wins' condition and version attribute: what newer-wins sends.</summary>
    public Task<Ceiling> NewerWinsCeilingAsync(int count) =>
        BestOfAsync("conditional (PutItem, newer-wins' condition and version)", count, _w.EngineConcurrency(WritePolicy.NewerWins),
            (n, concurrency) => ConditionalRateAsync(n, concurrency, WritePolicy.NewerWins));

    private Task<CeilingRun> ConditionalRateAsync(int count, int concurrency, WritePolicy policy)
    {
        var condition = WriteCondition.For(CeilingSchema, new DynamoDbOptions { WritePolicy = policy })!;
        return TimedAsync("ceiling-cond", count, concurrency, policy, async (table, items, _, take) =>
        {
            while (take(1) is { } i)
            {
                var request = new PutItemRequest
                {
                    TableName = table,
                    Item = items[i],
                    ConditionExpression = condition.PutExpression,
                    ExpressionAttributeNames = condition.PutNames,
                };
                if (condition.NewerWins)
                {
                    request.ExpressionAttributeValues = new() { [":v"] = items[i][condition.VersionAttribute] };
                }

                await RetriedAsync(async () =>
                {
                    try
                    {
                        await _w.Dynamo.PutItemAsync(request);
                    }
                    catch (ConditionalCheckFailedException)
                    {
                        // An earlier attempt was applied: done.
                    }
                });
            }
        });
    }

    /// <summary>
    /// 8. Parallel TransactWriteItems of 99 pre-built items and one checkpoint item per writer (what exactly-once
    /// commits), the best of several concurrencies; the engine holds one transaction in flight per stream.
    /// </summary>
    public Task<Ceiling> TransactionalCeilingAsync(int count) =>
        BestOfAsync("transactional (TransactWriteItems of 99 items + a checkpoint item)", count, _w.Settings.Streams, TransactionalRateAsync);

    private Task<CeilingRun> TransactionalRateAsync(int count, int concurrency) => TimedAsync("ceiling-tx", count, concurrency, WritePolicy.Overwrite, async (table, items, worker, take) =>
    {
        const int ItemsPerTransaction = TransactionalWriter.MaxActions - 1;
        var checkpoint = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = $"checkpoint-{worker}" } };
        while (take(ItemsPerTransaction) is { } start)
        {
            var actions = items.GetRange(start, Math.Min(ItemsPerTransaction, items.Count - start))
                .ConvertAll(i => new TransactWriteItem { Put = new Put { TableName = table, Item = i } });
            checkpoint["n"] = new AttributeValue { N = start.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            actions.Add(new TransactWriteItem { Put = new Put { TableName = table, Item = new(checkpoint) } });
            await RetriedAsync(() => _w.Dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = actions }));
        }
    });

    /// <summary>
    /// Items/s of <paramref name="concurrency"/> workers writing <paramref name="count"/> pre-built items to a fresh
    /// table; a worker takes the next <c>n</c> items with <c>take(n)</c> (null when none are left).
    /// </summary>
    private async Task<CeilingRun> TimedAsync(
        string prefix, int count, int concurrency, WritePolicy policy, Func<string, List<Dictionary<string, AttributeValue>>, int, Func<int, int?>, Task> worker)
    {
        var table = _w.Name(prefix);
        await _w.FreshBackendAsync();
        await _w.CreateTablesAsync(table);
        var items = PrebuiltItems(table, count, policy);
        var next = 0;
        int? Take(int n)
        {
            var start = Interlocked.Add(ref next, n) - n;
            return start < items.Count ? start : null;
        }

        var cpu = ProcessCpu.Now();
        var gc = GcUse.Now();
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => worker(table, items, w, Take))));
        var run = new CeilingRun(count / Stopwatch.GetElapsedTime(started).TotalSeconds, ProcessCpu.MicrosPerItemSince(cpu, count), GcUse.Now().Since(gc));
        await _w.DeleteTableAsync(table);
        return run;
    }

    /// <summary>One ceiling run: items/s, and this process's CPU per item and collections meanwhile.</summary>
    private readonly record struct CeilingRun(double Rate, double CpuMicrosPerItem, GcUse Gc);

    /// <summary>A backend call retried with a growing pause (the server is the limit, not the bench).</summary>
    private static async Task RetriedAsync(Func<Task> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 20)
            {
                await Task.Delay(50 * (attempt + 1));
            }
        }
    }
}
