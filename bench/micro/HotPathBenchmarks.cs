using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DynamoWriter.DynamoDb;
using DynamoWriter.Options;
using DynamoWriter.Redis;
using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Bench.Micro;

/// <summary>
/// The per-entry hot paths: parsing an XREADGROUP reply of <see cref="Entries"/> entries (RESP bytes to
/// StreamEntry objects) and mapping one entry to its DynamoDB item, in both formats. Every figure is per entry.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    public const int Entries = 500;
    private const int PayloadBytes = 200;

    private byte[] _reply = [];
    private RespReader _reader = null!;
    private StreamEntry _fieldsEntry = null!;
    private StreamEntry _jsonEntry = null!;
    private ItemMapper _fieldsMapper = null!;
    private ItemMapper _jsonMapper = null!;
    private TableKeySchema _schema = null!;

    [GlobalSetup]
    public void Setup()
    {
        var filler = new string('x', PayloadBytes);
        var sb = new StringBuilder();
        sb.Append("*1\r\n*2\r\n");
        Bulk(sb, "events");
        sb.Append(CultureInfo.InvariantCulture, $"*{Entries}\r\n");
        for (var i = 0; i < Entries; i++)
        {
            sb.Append("*2\r\n");
            Bulk(sb, $"1700000000000-{i}");
            sb.Append("*8\r\n");
            foreach (var s in new[] { "pk", $"key-{i}", "seq", i.ToString(CultureInfo.InvariantCulture), "source", "bench", "data", filler })
            {
                Bulk(sb, s);
            }
        }

        _reply = Encoding.UTF8.GetBytes(sb.ToString());
        _reader = new RespReader();
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

    [GlobalCleanup]
    public void Cleanup() => _reader.Dispose();

    private static void Bulk(StringBuilder sb, string s) =>
        sb.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(s)}\r\n{s}\r\n");

    /// <summary>
    /// RESP bytes of one XREADGROUP reply (500 entries, 4 fields, 200-byte payload) to StreamEntry objects, the
    /// way the connection's read loop does it (straight from the bytes); per entry.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Entries)]
    public int ParseXReadGroupReply()
    {
        _reader.Feed(_reply);
        if (!_reader.TryScan())
        {
            throw new InvalidOperationException("incomplete reply");
        }

        return _reader.Read(StreamReplyParser.Read).Count;
    }

    /// <summary>The same reply through the generic RespValue tree (every other command's path, and the fallback); per entry.</summary>
    [Benchmark(OperationsPerInvoke = Entries)]
    public int ParseXReadGroupReplyViaRespValue()
    {
        _reader.Feed(_reply);
        if (!_reader.TryRead(out var value))
        {
            throw new InvalidOperationException("incomplete reply");
        }

        return StreamReplyParser.ParseRead(value).Count;
    }

    [Benchmark]
    public bool MapFields() => _fieldsMapper.Map(_fieldsEntry, _schema).IsSuccess;

    [Benchmark]
    public bool MapJson() => _jsonMapper.Map(_jsonEntry, _schema).IsSuccess;
}
