using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Tests;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Grains.Tests.Storage;

/// <summary>A grain state for the storage tests; serialized as <c>{"count":..,"note":..}</c>.</summary>
[GenerateSerializer]
[Alias("DynamoWriter.Grains.Tests.Storage.Counter")]
public sealed class Counter
{
    [Id(0)]
    public int Count { get; set; }

    [Id(1)]
    public string? Note { get; set; }
}

/// <summary>Records what a storage logs, with event ids.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId, logLevel, formatter(state, exception)));
}

/// <summary>
/// The real DynamoDB server behind a client that can be told to fail: <see cref="FailPutsBefore"/> throws a throttling
/// error before sending the next puts, <see cref="ServerErrorPutsBefore"/> a server error (which may or may not have
/// been applied, for all the client knows), <see cref="LosePutAnswers"/> sends them and then throws (the answer lost);
/// <see cref="LoseTransactionAnswers"/> does the same to TransactWriteItems.
/// </summary>
internal sealed class FlakyDynamo : AmazonDynamoDBClient
{
    private int _failPutsBefore;
    private int _serverErrorPutsBefore;
    private int _losePutAnswers;
    private int _loseTransactionAnswers;
    private int _puts;
    private int _transactions;

    public FlakyDynamo(string? endpoint = null)
        : base(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint ?? TestServers.DynamoEndpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        })
    {
    }

    public int FailPutsBefore { get => _failPutsBefore; set => _failPutsBefore = value; }

    public int ServerErrorPutsBefore { get => _serverErrorPutsBefore; set => _serverErrorPutsBefore = value; }

    public int LosePutAnswers { get => _losePutAnswers; set => _losePutAnswers = value; }

    public int LoseTransactionAnswers { get => _loseTransactionAnswers; set => _loseTransactionAnswers = value; }

    public int Puts => Volatile.Read(ref _puts);

    public int Transactions => Volatile.Read(ref _transactions);

    public override async Task<TransactWriteItemsResponse> TransactWriteItemsAsync(TransactWriteItemsRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _transactions);
        var response = await base.TransactWriteItemsAsync(request, cancellationToken);
        if (Interlocked.Decrement(ref _loseTransactionAnswers) >= 0)
        {
            throw new InternalServerErrorException("scripted: the answer was lost after the transaction committed");
        }

        return response;
    }

    public override async Task<PutItemResponse> PutItemAsync(PutItemRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _puts);
        if (Interlocked.Decrement(ref _failPutsBefore) >= 0)
        {
            throw new ProvisionedThroughputExceededException("scripted throttling");
        }

        if (Interlocked.Decrement(ref _serverErrorPutsBefore) >= 0)
        {
            throw new InternalServerErrorException("scripted: a server error before the write");
        }

        var response = await base.PutItemAsync(request, cancellationToken);
        if (Interlocked.Decrement(ref _losePutAnswers) >= 0)
        {
            throw new InternalServerErrorException("scripted: the answer was lost after the write");
        }

        return response;
    }
}

internal static class StorageTestHelpers
{
    public static DynamoDbGrainStorageOptions NewOptions(string table, bool create = true, bool deleteOnClear = true) => new()
    {
        TableName = table,
        CreateTableIfMissing = create,
        DeleteStateOnClear = deleteOnClear,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
    };

    public static DynamoDbGrainStorage NewStorage(IAmazonDynamoDB client, string table, bool create = true, bool deleteOnClear = true, ILogger<DynamoDbGrainStorage>? logger = null) =>
        new("test", NewOptions(table, create, deleteOnClear), client, logger ?? new ListLogger<DynamoDbGrainStorage>());

    public static GrainId Id(string key) => GrainId.Create("counter", key);

    public static async Task<Dictionary<string, AttributeValue>?> RawAsync(IAmazonDynamoDB client, string table, string pk)
    {
        var response = await client.GetItemAsync(new GetItemRequest
        {
            TableName = table,
            Key = new Dictionary<string, AttributeValue> { [DynamoDbGrainStorage.KeyAttribute] = new AttributeValue { S = pk } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }
}
