using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace DynamoWriter.Grains.Tests.Unit;

/// <summary>
/// A scripted DynamoDB: each call goes to the handler, which answers or throws. The base client points
/// at a closed loopback port, so anything not scripted fails loudly instead of reaching a network.
/// </summary>
internal sealed class FakeDynamo : AmazonDynamoDBClient
{
    public FakeDynamo()
        : base(new BasicAWSCredentials("x", "x"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:9", MaxErrorRetry = 0 })
    {
    }

    public Func<BatchWriteItemRequest, int, BatchWriteItemResponse>? OnBatch { get; set; }

    public Func<PutItemRequest, int, PutItemResponse>? OnPut { get; set; }

    public Func<BatchGetItemRequest, int, BatchGetItemResponse>? OnBatchGet { get; set; }

    public Func<DeleteItemRequest, int, DeleteItemResponse>? OnDelete { get; set; }

    public ConcurrentQueue<BatchWriteItemRequest> Batches { get; } = new();

    public ConcurrentQueue<BatchGetItemRequest> BatchGets { get; } = new();

    public ConcurrentQueue<DeleteItemRequest> Deletes { get; } = new();

    public ConcurrentQueue<PutItemRequest> Puts { get; } = new();

    private int _batchCalls;
    private int _putCalls;
    private int _batchGetCalls;
    private int _deleteCalls;

    public override Task<BatchWriteItemResponse> BatchWriteItemAsync(BatchWriteItemRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Batches.Enqueue(request);
        var n = Interlocked.Increment(ref _batchCalls);
        return Task.FromResult((OnBatch ?? throw new InvalidOperationException("unexpected BatchWriteItem"))(request, n));
    }

    public override Task<PutItemResponse> PutItemAsync(PutItemRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Puts.Enqueue(request);
        var n = Interlocked.Increment(ref _putCalls);
        return Task.FromResult((OnPut ?? throw new InvalidOperationException("unexpected PutItem"))(request, n));
    }

    public override Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BatchGets.Enqueue(request);
        var n = Interlocked.Increment(ref _batchGetCalls);
        return Task.FromResult((OnBatchGet ?? throw new InvalidOperationException("unexpected BatchGetItem"))(request, n));
    }

    public override Task<DeleteItemResponse> DeleteItemAsync(DeleteItemRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Deletes.Enqueue(request);
        var n = Interlocked.Increment(ref _deleteCalls);
        return Task.FromResult((OnDelete ?? throw new InvalidOperationException("unexpected DeleteItem"))(request, n));
    }

    public static List<WriteRequest> Requests(BatchWriteItemRequest r) => r.RequestItems.Values.Single();

    public static BatchWriteItemResponse Unprocessed(string table, IEnumerable<WriteRequest> requests) =>
        new() { UnprocessedItems = new() { [table] = requests.Select(Copy).ToList() } };

    /// <summary>What DynamoDB echoes back: an equal request, not the one sent.</summary>
    private static WriteRequest Copy(WriteRequest w) =>
        w.DeleteRequest is { } delete
            ? new WriteRequest(new DeleteRequest(new Dictionary<string, AttributeValue>(delete.Key)))
            : new WriteRequest(new PutRequest(new Dictionary<string, AttributeValue>(w.PutRequest.Item)));

    public static AmazonDynamoDBException Validation(string message) =>
        new(message, ErrorType.Sender, "ValidationException", "req", System.Net.HttpStatusCode.BadRequest);
}
