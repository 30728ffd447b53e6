using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>
/// When Orleans gives up delivering a batch (MaxEventDeliveryTime), its entries are still pending in Redis:
/// the queue's receiver re-reads that stream's own pending list soon instead of waiting for ClaimMinIdle.
/// Subscriptions are never faulted: the entries come again.
/// </summary>
internal sealed class RedisStreamFailureHandler(RedisStreamAdapterFactory factory, QueueId queueId, ILogger logger) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamId, StreamSequenceToken? sequenceToken)
    {
        var stream = streamId.GetKeyAsString();
        var receiver = factory.ReceiverFor(queueId);
        receiver?.RequestPendingReread(stream);
        Log.DeliveryFailed(logger, stream, subscriptionId.ToString(), receiver?.Consumer ?? "(queue not read here)");
        return Task.CompletedTask;
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamId, StreamSequenceToken? sequenceToken) =>
        Task.CompletedTask;
}
