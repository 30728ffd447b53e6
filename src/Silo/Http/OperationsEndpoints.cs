using System.Text.Json;
using DynamoWriter.Grains.Operations.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DynamoWriter.Silo.Http;

/// <summary>
/// The operations endpoints on <c>sc.http.port</c>: <c>GET /metrics</c> (Prometheus text format, by
/// OpenTelemetry's exporter; see <see cref="Telemetry"/>),
/// <c>GET /healthz</c> (liveness) and <c>GET /readyz</c> (readiness), the last two answering 200 or 503
/// with a JSON body listing every check.
/// </summary>
internal static class OperationsEndpoints
{
    public const string MetricsPath = "/metrics";
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks(LivenessPath, Options(HealthCheckTags.Live));
        app.MapHealthChecks(ReadinessPath, Options(HealthCheckTags.Ready));
        return app;
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = r => r.Tags.Contains(tag),
        ResponseWriter = WriteJsonAsync,
        AllowCachingResponses = false,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    /// <summary>
    /// <c>{"status":"unhealthy","failed":["dynamodb"],"checks":[{"name":"redis","status":"healthy","durationMs":1.3,"description":"..."}]}</c>
    /// </summary>
    internal static async Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        json.WriteStartArray("failed");
        foreach (var (name, _) in report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", Name(entry.Status));
            json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 1));
            if (entry.Description is { } description)
            {
                json.WriteString("description", description);
            }

            if (entry.Exception is { } exception && exception.Message != entry.Description)
            {
                json.WriteString("error", exception.Message);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static string Name(HealthStatus status) => status.ToString().ToLowerInvariant();
}
