using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Checkpoints;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Grains.Tests.Engine;
using DynamoWriter.Grains.Tests.Storage;
using DynamoWriter.Grains.Writer.ExactlyOnce;
using DynamoWriter.Options;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.ExactlyOnce;

/// <summary>
/// One stream's exactly-once parts on the real DynamoDB server, without a silo: a data table, the checkpoint
/// storage, and committers that start from the checkpoint as a writer activation reads it.
/// </summary>
internal sealed class CommitterKit
{
    private const string StateName = "checkpoint";

    private readonly IAmazonDynamoDB _client;
    private readonly DynamoDbGrainStorage _storage;
    private readonly GrainId _grain = GrainId.Create("streamwriter", TestServers.Unique("s"));
    private readonly ItemMapper _mapper;
    private long _nextId = 1;

    private CommitterKit(IAmazonDynamoDB client, DynamoDbOptions options, TableKeySchema schema, DynamoDbGrainStorage storage)
    {
        _client = client;
        Options = options;
        Schema = schema;
        _storage = storage;
        _mapper = new ItemMapper(new MappingOptions(), options);
    }

    public DynamoDbOptions Options { get; }

    public TableKeySchema Schema { get; }

    public string Table => Options.TableName;

    public static async Task<CommitterKit> CreateAsync(IAmazonDynamoDB client, WritePolicy policy = WritePolicy.Overwrite, string versionField = "")
    {
        var options = new DynamoDbOptions
        {
            TableName = TestServers.Unique("tbl"),
            WritePolicy = policy,
            VersionField = versionField,
            ExactlyOnce = true,
            RetryWaitMax = TimeSpan.FromMilliseconds(50),
        };
        await EngineKit.CreateTableAsync(client, options.TableName, "pk", ScalarAttributeType.S);
        var schema = await new TableCatalog(client, options).GetSchemaAsync(options.TableName, CancellationToken.None);
        var storage = StorageTestHelpers.NewStorage(client, TestServers.Unique("cp"));
        return new CommitterKit(client, options, schema, storage);
    }

    /// <summary>A committer as an activation starts one: from the checkpoint stored now.</summary>
    public async Task<ExactlyOnceCommitter> CommitterAsync(IAmazonDynamoDB? client = null)
    {
        var (state, etag) = await ReadAsync();
        var writer = new TransactionalWriter(client ?? _client, Schema, Options, new DynamoWriterMetrics());
        return new ExactlyOnceCommitter(
            writer,
            state,
            etag,
            (s, expected, next) => _storage.TransactionalWrite(StateName, _grain, s, expected, next),
            _ => ReadAsync(),
            TimeProvider.System,
            "test-silo",
            "g",
            "s");
    }

    public async Task<(StreamCheckpoint State, string? ETag)> ReadAsync()
    {
        var state = new GrainState<StreamCheckpoint>();
        await _storage.ReadStateAsync(StateName, _grain, state);
        return (state.State ?? new StreamCheckpoint(), state.ETag);
    }

    /// <summary>Entries with ascending IDs, one per key, mapped to items.</summary>
    public List<WriteItem> Items(IEnumerable<string> keys, string value = "v") =>
        keys.Select(k => Item([new("pk", k), new("v", value)])).ToList();

    public WriteItem Item(IReadOnlyList<StreamField> fields)
    {
        var entry = new StreamEntry("s", $"{_nextId++}-0", fields);
        var mapped = _mapper.Map(entry, Schema);
        return mapped.Item ?? throw new InvalidOperationException(mapped.Error);
    }

    public async Task<Dictionary<string, Dictionary<string, AttributeValue>>> TableAsync() =>
        (await TestTables.ScanAllAsync(_client, Table)).ToDictionary(i => i["pk"].S, StringComparer.Ordinal);
}
