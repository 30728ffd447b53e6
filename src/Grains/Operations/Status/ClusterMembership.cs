using System.Text.Json;
using DynamoWriter.Options;
using DynamoWriter.Status;
using StackExchange.Redis;

namespace DynamoWriter.Grains.Operations.Status;

/// <summary>
/// Reads the cluster's silos from Orleans' membership table in Redis (Microsoft.Orleans.Clustering.Redis keeps
/// one hash, <c>{serviceId}/members/{clusterId}</c>, a JSON entry per silo), so <c>status</c> can show them
/// without joining the cluster.
/// </summary>
internal static class ClusterMembership
{
    private const string VersionField = "Version";

    /// <summary>Orleans' <c>SiloStatus</c> values, as the membership table stores them (numbers).</summary>
    private static readonly string[] Statuses = ["None", "Created", "Joining", "Active", "ShuttingDown", "Stopping", "Dead"];

    public static string KeyFor(OrleansOptions orleans) => $"{orleans.ServiceId}/members/{orleans.ClusterId}";

    public static async Task<IReadOnlyList<SiloMember>> ReadAsync(IDatabase db, OrleansOptions orleans, CancellationToken ct)
    {
        if (!string.Equals(orleans.Clustering, OrleansOptions.RedisClustering, StringComparison.OrdinalIgnoreCase))
        {
            return []; // localhost clustering keeps membership in the silo's memory
        }

        HashEntry[] entries;
        try
        {
            entries = await db.HashGetAllAsync(KeyFor(orleans)).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            return []; // WRONGTYPE: not a membership table
        }

        var silos = new List<SiloMember>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry.Name == VersionField || Parse(entry.Value.ToString()) is not { } silo)
            {
                continue;
            }

            silos.Add(silo);
        }

        silos.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return silos;
    }

    private static SiloMember? Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var address = root.GetProperty("SiloAddress");
            var status = root.GetProperty("Status").GetInt32();
            return new SiloMember(
                root.GetProperty("SiloName").GetString() ?? "",
                address.ValueKind == JsonValueKind.Object ? address.GetProperty("SiloAddress").GetString() ?? "" : address.GetString() ?? "",
                root.GetProperty("HostName").GetString() ?? "",
                status >= 0 && status < Statuses.Length ? Statuses[status] : status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                root.GetProperty("StartTime").GetDateTimeOffset(),
                root.GetProperty("IAmAliveTime").GetDateTimeOffset());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null; // an entry of a format we do not know: leave it out rather than fail the report
        }
    }
}
