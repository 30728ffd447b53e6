using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;

namespace DynamoWriter.Bench;

/// <summary>Scenarios 1, 3 and 8: what the backend takes with no Redis and no engine in the way.</summary>
internal sealed partial class Scenarios
{
    private const int BatchSize = DynamoDbOptions.MaxBatchSize;

    /// <summary>
    /// A ceiling is the best of several concurrencies, never only the engine's own: on these machines one
    /// setting can measure a third less than another, which would flatter the engine's ratio.
    /// </summary>
    private static readonly int[] CeilingConcurrencies = [16, 32, 64];

    private async Task<double> BestOfAsync(string name, int count, int engineConcurrency, Func<int, int, Task<double>> run)
    {
        var rates = new List<(int Concurrency, double Rate)>();
        foreach (var concurrency in CeilingConcurrencies.Append(engineConcurrency).Distinct().Order())
        {
            rates.Add((concurrency, await run(count, concurrency)));
        }

        var best = rates.MaxBy(r => r.Rate);
        _report.Notes.Add($"ceiling {name}: best {best.Rate:F0}/s at {best.Concurrency} in flight ("
            + string.Join(", ", rates.Select(r => $"{r.Concurrency}: {r.Rate:F0}/s")) + $"; the engine runs {engineConcurrency})");
        return best.Rate;
    }

    /// <summary>Items built by the engine's own mapper from the same entries the streams would hold.</summary>
    private List<Dictionary<string, AttributeValue>> PrebuiltItems(string prefix, int count)
    {
        var mapper = new ItemMapper(new MappingOptions(), new DynamoDbOptions());
        var schema = new TableKeySchema("unused", new KeyAttribute("pk", Amazon.DynamoDBv2.ScalarAttributeType.S), null);
        return [.. _w.Entries(prefix, count).Select(e => mapper.Map(e, schema).Item!.Attributes)];
    }

    /// <summary>1. Parallel BatchWriteItem of 25 pre-built items: the best of several concurrencies.</summary>
    public Task<double> BatchCeilingAsync(int count) =>
        BestOfAsync("batch (BatchWriteItem of 25)", count, _w.EngineConcurrency(WritePolicy.Overwrite), BatchRateAsync);

    private async Task<double> BatchRateAsync(int count, int concurrency)
    {
        var table = _w.Name("ceiling-batch");
        await _w.CreateTablesAsync(table);
        var items = PrebuiltItems(table, count);
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var chunk = Interlocked.Increment(ref next);
                var start = chunk * BatchSize;
                if (start >= items.Count)
                {
                    return;
                }

                var requests = items.GetRange(start, Math.Min(BatchSize, items.Count - start))
                    .ConvertAll(i => new WriteRequest(new PutRequest(i)));
                for (var attempt = 0; requests.Count > 0; attempt++)
                {
                    try
                    {
                        var response = await _w.Dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [table] = requests } });
                        requests = response.UnprocessedItems is { } u && u.TryGetValue(table, out var left) ? left : [];
                    }
                    catch (Exception e) when (e is not OperationCanceledException && attempt < 20)
                    {
                        await Task.Delay(50 * (attempt + 1));
                    }
                }
            }
        })));
        var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await _w.DeleteTableAsync(table);
        return rate;
    }

    /// <summary>3. Parallel PutItem with attribute_not_exists(pk), the best of several concurrencies; also newer-wins' ceiling.</summary>
    public Task<double> ConditionalCeilingAsync(int count) =>
        BestOfAsync("conditional (PutItem attribute_not_exists; also newer-wins')", count, _w.EngineConcurrency(WritePolicy.SkipExisting), ConditionalRateAsync);

    private async Task<double> ConditionalRateAsync(int count, int concurrency)
    {
        var table = _w.Name("ceiling-cond");
        await _w.CreateTablesAsync(table);
        var items = PrebuiltItems(table, count);
        var names = new Dictionary<string, string> { ["#pk"] = "pk" };
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= items.Count)
                {
                    return;
                }

                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await _w.Dynamo.PutItemAsync(new PutItemRequest
                        {
                            TableName = table,
                            Item = items[i],
                            ConditionExpression = "attribute_not_exists(#pk)",
                            ExpressionAttributeNames = names,
                        });
                        break;
                    }
                    catch (ConditionalCheckFailedException)
                    {
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException && attempt < 20)
                    {
                        await Task.Delay(50 * (attempt + 1));
                    }
                }
            }
        })));
        var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await _w.DeleteTableAsync(table);
        return rate;
    }

    /// <summary>
    /// 8. Parallel TransactWriteItems of 99 pre-built items and one checkpoint item per writer (what exactly-once
    /// commits), the best of several concurrencies; the engine holds one transaction in flight per stream.
    /// </summary>
    public Task<double> TransactionalCeilingAsync(int count) =>
        BestOfAsync("transactional (TransactWriteItems of 99 items + a checkpoint item)", count, _w.Settings.Streams, TransactionalRateAsync);

    private async Task<double> TransactionalRateAsync(int count, int concurrency)
    {
        const int ItemsPerTransaction = TransactionalWriter.MaxActions - 1;
        var table = _w.Name("ceiling-tx");
        await _w.CreateTablesAsync(table);
        var items = PrebuiltItems(table, count);
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var checkpoint = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = $"checkpoint-{worker}" } };
            while (true)
            {
                var start = Interlocked.Increment(ref next) * ItemsPerTransaction;
                if (start >= items.Count)
                {
                    return;
                }

                var actions = items.GetRange(start, Math.Min(ItemsPerTransaction, items.Count - start))
                    .ConvertAll(i => new TransactWriteItem { Put = new Put { TableName = table, Item = i } });
                checkpoint["n"] = new AttributeValue { N = start.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                actions.Add(new TransactWriteItem { Put = new Put { TableName = table, Item = new(checkpoint) } });
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await _w.Dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = actions });
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException && attempt < 20)
                    {
                        await Task.Delay(50 * (attempt + 1));
                    }
                }
            }
        })));
        var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await _w.DeleteTableAsync(table);
        return rate;
    }
}
