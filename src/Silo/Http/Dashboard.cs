using DynamoWriter.Options;
using Orleans.Dashboard;

namespace DynamoWriter.Silo.Http;

/// <summary>
/// The Orleans dashboard (Microsoft.Orleans.Dashboard) under <see cref="Path"/> on <c>sc.http.port</c>, when
/// <c>sc.orleans.dashboard</c> is on. It has no authentication of its own, which is why it is off by default.
/// </summary>
internal static class Dashboard
{
    public const string Path = "/dashboard";

    /// <summary>The silo side: the dashboard's grains and the counters they collect.</summary>
    public static void AddTo(ISiloBuilder silo, OrleansOptions options)
    {
        if (options.Dashboard)
        {
            silo.AddDashboard();
        }
    }

    /// <summary>The HTTP side: its page and API, next to /metrics and the health endpoints.</summary>
    public static void MapTo(WebApplication app, OrleansOptions options)
    {
        if (options.Dashboard)
        {
            app.MapOrleansDashboard(routePrefix: Path);
        }
    }
}
