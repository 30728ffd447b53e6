using DynamoWriter.Options;
using DynamoWriter.Pipeline.Engine;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline.Tests;

/// <summary>
/// The engine in a Generic Host, pointed at the test servers, with unique names per test; every log line
/// is kept so tests can assert on what it said (e.g. that a group was recreated at the checkpoint).
/// </summary>
internal sealed class EngineHost : IAsyncDisposable
{
    private bool _stopped;

    private EngineHost(IHost host, DynamoWriterOptions options, LogSink logs)
    {
        Host = host;
        Options = options;
        Logs = logs;
        Engine = host.Services.GetRequiredService<DynamoWriterEngine>();
    }

    public IHost Host { get; }
    public DynamoWriterOptions Options { get; }
    public LogSink Logs { get; }

    /// <summary>The engine; its totals stay readable after the host is stopped and disposed.</summary>
    public DynamoWriterEngine Engine { get; }

    /// <summary>Options for a fresh group and table on the shared servers.</summary>
    public static DynamoWriterOptions NewOptions(params string[] streams)
    {
        var options = new DynamoWriterOptions();
        options.Stream.Redis.Address = TestServers.RedisAddress;
        options.Stream.Group = TestServers.Unique("g");
        options.Stream.Consumer = TestServers.Unique("c");
        options.Stream.Streams = [.. streams];
        options.Stream.Block = TimeSpan.FromMilliseconds(200);
        options.DynamoDB.Endpoint = TestServers.DynamoEndpoint;
        options.DynamoDB.TableName = TestServers.Unique("tbl");
        options.DynamoDB.CreateTable = true;
        options.Http.Port = 0;
        return options;
    }

    public static async Task<EngineHost> StartAsync(DynamoWriterOptions options, LogSink? logs = null)
    {
        logs ??= new LogSink();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddProvider(logs);
        builder.Services.AddDynamoWriter(options.CopyTo);
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host, options, logs);
    }

    /// <summary>Graceful stop: reading stops, in-flight writes finish and are acknowledged, the final checkpoint is written.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
    }
}
