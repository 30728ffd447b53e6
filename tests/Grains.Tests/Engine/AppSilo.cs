using DynamoWriter.Grains.Writer;
using DynamoWriter.Options;
using DynamoWriter.Tests;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace DynamoWriter.Grains.Tests.Engine;

/// <summary>
/// Another Orleans app's silo in a writer silo's cluster: plain Orleans, no <c>AddDynamoWriter</c>. This
/// process loads DynamoWriter's grain classes anyway, so they are removed, as in an app that never referenced them.
/// </summary>
internal static class AppSilo
{
    public static async Task<IHost> StartAsync(DynamoWriterOptions options, WriterSilo joining)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: Net.FreePort(), gatewayPort: Net.FreePort(), primarySiloEndpoint: joining.PrimaryEndpoint,
                serviceId: options.Orleans.ServiceId, clusterId: options.Orleans.ClusterId);
            silo.Configure<GrainTypeOptions>(o => o.Classes.RemoveWhere(c => c.Assembly == typeof(StreamWriterGrain).Assembly));
        });
        var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(cts.Token);
        return host;
    }
}
