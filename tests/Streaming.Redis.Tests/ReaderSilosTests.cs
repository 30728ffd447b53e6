using System.Collections.Immutable;
using System.Net;
using DynamoWriter.Streaming.Redis.Balancing;
using Orleans.Metadata;

namespace DynamoWriter.Streaming.Redis.Tests;

[Trait("Category", "Unit")]
public sealed class ReaderSilosTests
{
    private static GrainManifest Manifest(params IGrainPropertiesProvider[] providers)
    {
        var type = GrainType.Create("sink");
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            provider.Populate(typeof(SinkGrain), type, properties);
        }

        return new GrainManifest(
            ImmutableDictionary<GrainType, GrainProperties>.Empty.Add(type, new GrainProperties(properties.ToImmutableDictionary(StringComparer.Ordinal, StringComparer.Ordinal))),
            ImmutableDictionary<GrainInterfaceType, GrainInterfaceProperties>.Empty);
    }

    [Fact]
    public void Only_silos_whose_manifest_carries_the_providers_mark_read_its_queues()
    {
        var (reader, app, other) = (SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 1), 1),
            SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 2), 1), SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 3), 1));
        var manifest = new ClusterManifest(new MajorMinorVersion(1, 0), ImmutableDictionary<SiloAddress, GrainManifest>.Empty
            .Add(reader, Manifest(new ReaderSilos("p")))
            .Add(app, Manifest())
            .Add(other, Manifest(new ReaderSilos("another-provider"))));

        Assert.Equal([reader], ReaderSilos.In(manifest, "p"));
    }
}
