using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;
using DynamoWriter.Silo.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>
/// The service's telemetry pipeline (<see cref="Telemetry"/>: OpenTelemetry's Prometheus exporter) in this
/// process on a test server, around one <see cref="DynamoWriterMetrics"/>, so a test can record and scrape.
/// Series are told apart by their labels: the exporter listens to every meter of our name in the process.
/// </summary>
internal sealed class InProcessMetrics : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessMetrics(WebApplication app)
    {
        _app = app;
        Metrics = app.Services.GetRequiredService<DynamoWriterMetrics>();
    }

    public DynamoWriterMetrics Metrics { get; }

    public static async Task<InProcessMetrics> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(sp => new DynamoWriterMetrics(sp.GetRequiredService<IMeterFactory>()));
        builder.Services.AddTelemetry();
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint(OperationsEndpoints.MetricsPath);
        await app.StartAsync();
        return new InProcessMetrics(app);
    }

    public async Task<(string ContentType, string Body)> ScrapeAsync()
    {
        using var client = _app.GetTestClient();
        using var response = await client.GetAsync(OperationsEndpoints.MetricsPath);
        response.EnsureSuccessStatusCode();
        return (response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
