using Orleans.Metadata;

namespace DynamoWriter.Streaming.Redis.Balancing;

/// <summary>
/// Which silos read a provider's queues. A silo that adds the provider marks itself in its grain manifest,
/// which Orleans already fetches from every active silo (<see cref="IClusterManifestProvider"/>), so an
/// app silo that joins the cluster without the provider is known not to read, with no extra protocol.
/// </summary>
internal sealed class ReaderSilos(string provider) : IGrainPropertiesProvider
{
    private readonly string _property = PropertyFor(provider);

    /// <summary>
    /// A manifest has no silo-wide properties, only per grain type; every silo with a stream provider hosts
    /// at least Orleans' pub-sub grain, so marking each of its grain types marks the silo.
    /// </summary>
    public void Populate(Type grainClass, GrainType grainType, Dictionary<string, string> properties) => properties[_property] = "reads";

    /// <summary>The active silos that read <paramref name="provider"/>'s queues, in a fixed order.</summary>
    public static IReadOnlyList<SiloAddress> In(ClusterManifest manifest, string provider)
    {
        var property = PropertyFor(provider);
        return [.. manifest.Silos
            .Where(s => s.Value.Grains.Values.Any(g => g.Properties.ContainsKey(property)))
            .Select(s => s.Key)
            .Order()];
    }

    private static string PropertyFor(string provider) => $"dynamowriter.redis-streams.{provider}";
}
