using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DynamoWriter.Silo.Http;

/// <summary>
/// Metrics and traces through OpenTelemetry: our meter, Orleans' and the .NET runtime's, scraped as Prometheus
/// text on <c>/metrics</c>, and sent over OTLP as well when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class Telemetry
{
    /// <summary>The meter Orleans records its streams, grains, messaging and storage on.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The activity sources of Orleans' grain calls (runtime and application).</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The process's OTEL_* environment variables (endpoint, protocol, headers, export interval, ...).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> StandardVariables() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => e.Key is string k && k.StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string));

    /// <summary>Whether OTLP export is asked for; the exporter reads the standard OTEL_* variables itself.</summary>
    public static bool ExportsOtlp() => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));

    /// <summary>
    /// Three runtime gauges end in ".count", which Prometheus reserves for histograms and summaries (promtool
    /// check metrics fails the scrape): the same gauges under names it accepts.
    /// </summary>
    private static readonly Dictionary<string, string> PrometheusNames = new(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers",
    };

    /// <summary>
    /// Tag combinations kept per Orleans and runtime instrument. OpenTelemetry allocates room for its default
    /// (2,000) up front for every instrument, and the GC scans it: 21 MB resident over the 146 instruments of a
    /// busy silo (a heap dump during a drain). Theirs carry a few tags each; ours keep the default, as their
    /// stream tag grows with the number of streams.
    /// </summary>
    internal const int OtherCardinalityLimit = 100;

    /// <summary>One view for every instrument, so that none is exported twice under two names.</summary>
    private static MetricStreamConfiguration? View(Instrument instrument)
    {
        if (PrometheusNames.TryGetValue(instrument.Name, out var name))
        {
            return new MetricStreamConfiguration { Name = name, CardinalityLimit = OtherCardinalityLimit };
        }

        return instrument.Meter.Name == DynamoWriterMetrics.MeterName ? null : new MetricStreamConfiguration { CardinalityLimit = OtherCardinalityLimit };
    }

    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        var otlp = ExportsOtlp();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("dynamo-writer", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(DynamoWriterMetrics.MeterName, OrleansMeter)
                    .AddRuntimeInstrumentation()
                    .AddView(View)
                    // No cache: two scrapes in a row must both see what was counted in between.
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(OrleansActivitySources).AddOtlpExporter());
        }

        return services;
    }
}
