using System.Net;
using DynamoWriter.Streaming.Redis.Balancing;
using Orleans.Configuration;
using Orleans.Streams;
using Xunit.Abstractions;

namespace DynamoWriter.Streaming.Redis.Tests;

[Trait("Category", "Unit")]
public sealed class QueueDistributionTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyList<QueueId> Queues =
        [.. new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = 8 }, "test").GetAllQueues()];

    private static SiloAddress Silo(int port) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1);

    private static Dictionary<SiloAddress, IReadOnlySet<QueueId>> Distribute(params SiloAddress[] readers) =>
        readers.ToDictionary(r => r, r => QueueDistribution.For(r, Queues, readers));

    [Fact]
    public void Every_queue_goes_to_exactly_one_reader_and_none_holds_more_than_its_share()
    {
        foreach (var count in new[] { 1, 2, 3, 5, 8, 9 })
        {
            var readers = Enumerable.Range(0, count).Select(i => Silo(11111 + i)).ToArray();
            var distribution = Distribute(readers);
            Assert.Equal(Queues.Order(), distribution.Values.SelectMany(q => q).Order());
            Assert.All(distribution.Values, q => Assert.True(q.Count <= (Queues.Count + count - 1) / count));
        }
    }

    [Fact]
    public void No_reader_means_no_queue_and_a_silo_that_does_not_read_gets_none()
    {
        Assert.Empty(QueueDistribution.For(Silo(1), Queues, []));
        Assert.Empty(QueueDistribution.For(Silo(1), Queues, [Silo(2), Silo(3)]));
    }

    [Fact]
    public void A_third_reader_joining_takes_its_share_and_moves_few_queues_between_the_other_two()
    {
        var (a, b, c) = (Silo(11111), Silo(11112), Silo(11113));
        var before = Distribute(a, b);
        var after = Distribute(a, b, c);
        var moved = after[c].Count + after[a].Except(before[a]).Count() + after[b].Except(before[b]).Count();
        output.WriteLine($"queues moved when a third reader joined: {moved} of {Queues.Count} ({after[c].Count} to the new one)");
        Assert.InRange(after[c].Count, 2, 3);
        Assert.True(moved <= 4, $"{moved} queues moved");
    }
}
