using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;

namespace DynamoWriter.Bench.Micro;

/// <summary>
/// The per-entry hot path DynamoWriter owns: mapping one stream entry to its DynamoDB item, in both formats.
/// Reading replies is StackExchange.Redis' work since the Orleans engine, so it has no benchmark here.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const int PayloadBytes = 200;

    private StreamEntry _fieldsEntry = null!;
    private StreamEntry _jsonEntry = null!;
    private ItemMapper _fieldsMapper = null!;
    private ItemMapper _jsonMapper = null!;
    private TableKeySchema _schema = null!;

    [GlobalSetup]
    public void Setup()
    {
        var filler = new string('x', PayloadBytes);
        _schema = new TableKeySchema("t", new KeyAttribute("pk", Amazon.DynamoDBv2.ScalarAttributeType.S), null);
        _fieldsEntry = new StreamEntry("events", "1700000000000-0",
            [new("pk", "key-1"), new("seq", "1"), new("source", "bench"), new("data", filler)]);
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["pk"] = "key-1",
            ["seq"] = 1,
            ["source"] = "bench",
            ["ok"] = true,
            ["tags"] = new[] { "demo", "bench" },
            ["detail"] = new Dictionary<string, object> { ["data"] = filler },
        });
        _jsonEntry = new StreamEntry("events", "1700000000000-0", [new("payload", json)]);
        _fieldsMapper = new ItemMapper(new MappingOptions { Format = MappingFormat.Fields }, new DynamoDbOptions());
        _jsonMapper = new ItemMapper(new MappingOptions { Format = MappingFormat.Json }, new DynamoDbOptions());
    }

    [Benchmark]
    public bool MapFields() => _fieldsMapper.Map(_fieldsEntry, _schema).IsSuccess;

    [Benchmark]
    public bool MapJson() => _jsonMapper.Map(_jsonEntry, _schema).IsSuccess;
}
