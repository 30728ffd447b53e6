using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;

namespace DynamoWriter.Bench;

/// <summary>Scenarios 1 and 3: what the backend takes with no Redis and no engine in the way.</summary>
internal sealed partial class Scenarios
{
    private const int BatchSize = DynamoDbOptions.MaxBatchSize;

    /// <summary>Items built by the engine's own mapper from the same entries the streams would hold.</summary>
    private List<Dictionary<string, AttributeValue>> PrebuiltItems(string prefix, int count)
    {
        var mapper = new ItemMapper(new MappingOptions(), new DynamoDbOptions());
        var schema = new TableKeySchema("unused", new KeyAttribute("pk", Amazon.DynamoDBv2.ScalarAttributeType.S), null);
        return [.. _w.Entries(prefix, count).Select(e => mapper.Map(e, schema).Item!.Attributes)];
    }

    /// <summary>1. Parallel BatchWriteItem of 25 pre-built items, at the engine's total request concurrency.</summary>
    public async Task<double> BatchCeilingAsync(int count)
    {
        var table = _w.Name("ceiling-batch");
        await _w.CreateTablesAsync(table);
        var items = PrebuiltItems(table, count);
        var concurrency = _w.EngineConcurrency(WritePolicy.Overwrite);
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
        _report.Notes.Add($"ceiling batch: {concurrency} concurrent BatchWriteItem requests of {BatchSize} ({_w.Settings.Streams} streams x min(maxInFlight 64, readCount 500 / batchSize 25))");
        return rate;
    }

    /// <summary>3. Parallel PutItem with attribute_not_exists(pk), at the engine's total conditional concurrency.</summary>
    public async Task<double> ConditionalCeilingAsync(int count)
    {
        var table = _w.Name("ceiling-cond");
        await _w.CreateTablesAsync(table);
        var items = PrebuiltItems(table, count);
        var concurrency = _w.EngineConcurrency(WritePolicy.SkipExisting);
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
        _report.Notes.Add($"ceiling conditional: {concurrency} concurrent conditional PutItem ({_w.Settings.Streams} streams x min(maxInFlight 64, readCount 500)); also the ceiling of newer-wins");
        return rate;
    }
}
