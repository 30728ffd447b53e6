using DynamoWriter.Options;
using DynamoWriter.Silo.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Orleans.Configuration;

namespace DynamoWriter.Silo.Hosting;

/// <summary>Builds the service's web host: configuration, logging, the engine and the HTTP endpoints.</summary>
internal static class ServiceHost
{
    internal const int GrainLocationCacheSize = 10_000;

    public static WebApplication Build(IConfigurationRoot configuration, DynamoWriterOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        // OpenTelemetry reads its standard OTEL_* variables through the host's configuration, whose sources
        // were just replaced by ours: hand it those variables, and only those.
        builder.Configuration.AddInMemoryCollection(Telemetry.StandardVariables());

        ConfigureLogging(builder.Logging, options.Log);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.UseOrleans(silo =>
        {
            SiloClustering.Configure(silo, options);
            silo.AddDynamoWriter(configuration.GetSection(DynamoWriterOptions.SectionName));
            // Orleans sizes its grain-location cache for a million grains up front: 18 MB that the GC scans, and so
            // keeps resident, once the silo is busy (a heap dump during a drain). This silo calls one writer grain
            // per stream and a few system grains.
            silo.Configure<GrainDirectoryOptions>(d => d.CacheSize = GrainLocationCacheSize);
            Dashboard.AddTo(silo, options.Orleans);
            // Orleans records grain-call activities only when asked; they matter only where traces are exported.
            if (Telemetry.ExportsOtlp())
            {
                silo.AddActivityPropagation();
            }
        });
        builder.Services.AddTelemetry();

        if (options.Http.Port > 0)
        {
            builder.WebHost.ConfigureKestrel(k => k.ListenAnyIP(options.Http.Port));
        }
        else
        {
            builder.Services.AddSingleton<IServer, NullServer>();
        }

        var app = builder.Build();
        app.MapGet("/", () => Results.Text("dynamo-writer\n"));
        app.MapOperationsEndpoints();
        Dashboard.MapTo(app, options.Orleans);
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, LogOptions log)
    {
        logging.ClearProviders();
        if (string.Equals(log.Format, "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        var level = log.Level.ToLowerInvariant() switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        };
        logging.SetMinimumLevel(level);
        // Framework chatter stays out of the service's own log unless something is wrong.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", level);
    }
}
