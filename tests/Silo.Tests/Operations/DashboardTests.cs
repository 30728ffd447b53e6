using System.Globalization;
using System.Net;
using DynamoWriter.Tests;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary><c>sc.orleans.dashboard</c>: the Orleans dashboard on the service's HTTP port, only when asked for.</summary>
[Trait("Category", "Integration")]
public sealed class DashboardTests
{
    [Fact]
    public async Task Dashboard_on_serves_its_html_page_under_dashboard()
    {
        var (service, client) = Start(dashboard: true);
        await using (service)
        using (client)
        {
            var page = await ServiceWait.UntilAsync(service, () => client.TryGetAsync("/dashboard"),
                r => r?.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "/dashboard to answer 200");
            Assert.StartsWith("text/html", page!.Value.ContentType, StringComparison.Ordinal);
            Assert.Contains("<html", page.Value.Body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Dashboard_is_off_by_default()
    {
        var (service, client) = Start(dashboard: null);
        await using (service)
        using (client)
        {
            // The listener is up once / answers; only then does a 404 mean "not mapped".
            await ServiceWait.UntilAsync(service, () => client.TryGetAsync("/"),
                r => r?.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "/ to answer 200");
            Assert.Equal(HttpStatusCode.NotFound, (await client.TryGetAsync("/dashboard"))?.Status);
        }
    }

    /// <param name="dashboard">The value of SC_ORLEANS_DASHBOARD, or null to leave the default.</param>
    private static (ServiceProcess Service, OperationsClient Client) Start(bool? dashboard)
    {
        var httpPort = Net.FreePort();
        var env = ServiceEnvironment.For(TestServers.Unique("dash"), TestServers.Unique("g"), TestServers.Unique("tbl"));
        env["SC_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture);
        if (dashboard is { } on)
        {
            env["SC_ORLEANS_DASHBOARD"] = on ? "true" : "false";
        }

        return (ServiceProcess.Start(env, "run"), new OperationsClient(httpPort));
    }
}
