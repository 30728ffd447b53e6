using DynamoWriter.DeadLetters;
using DynamoWriter.Grains.Tests.Engine;
using DynamoWriter.Status;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace DynamoWriter.Grains.Tests.Operations.Management;

[Trait("Category", "Integration")]
public sealed class ManagementGrainTests
{
    [Fact]
    public async Task Status_and_dead_letter_replay_through_the_grain()
    {
        var stream = TestServers.Unique("mgmt");
        var options = WriterSilo.NewOptions(stream);
        await using var redis = EngineKit.Redis();
        await redis.XAddAsync(stream, [new("pk", "a")]);
        await redis.XAddAsync(stream, [new("no-key", "b")]); // dead-lettered: the table's key is missing
        await using var silo = await WriterSilo.StartAsync(options);
        var grain = silo.Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IDynamoWriterManagementGrain>(IDynamoWriterManagementGrain.Key);

        var report = await Eventually.WaitAsync(grain.GetStatusAsync, r => r.Streams is [{ Pending: 0, DeadLetter.Length: 1 }] && r.Nodes.Count == 1,
            TimeSpan.FromSeconds(60), "the stream drained with one dead letter and the node's heartbeat");

        Assert.Equal(options.Stream.Group, report.Group);
        var status = Assert.Single(report.Streams);
        Assert.Equal(stream, status.Stream);
        Assert.Equal(2, status.Length);
        Assert.Equal(silo.SiloName, Assert.Single(report.Nodes).Name);
        Assert.Equal(silo.SiloName, status.Owner);

        // What a client receives: the report crosses the wire whole.
        var serializer = silo.Host.Services.GetRequiredService<Serializer>();
        Assert.Equal(report.ToJson(), serializer.Deserialize<StatusReport>(serializer.SerializeToArray(report))!.ToJson());

        Assert.Equal(new DeadLetterReplayResult(1, 0), await grain.ReplayDeadLettersAsync(stream, null));
        // Back in its source stream as a new entry (where it is dead-lettered again, the key being still missing).
        Assert.Equal(3, await redis.Db.StreamLengthAsync(stream));
    }
}
