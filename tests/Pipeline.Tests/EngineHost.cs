using DynamoWriter.Options;
using DynamoWriter.Pipeline.Engine;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline.Tests;

/// <summary>The engine in a Generic Host, pointed at the test servers, with unique names per test.</summary>
internal sealed class EngineHost : IAsyncDisposable
{
    private EngineHost(IHost host, DynamoWriterOptions options)
    {
        Host = host;
        Options = options;
    }

    public IHost Host { get; }
    public DynamoWriterOptions Options { get; }
    public DynamoWriterEngine Engine => Host.Services.GetRequiredService<DynamoWriterEngine>();

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

    public static async Task<EngineHost> StartAsync(DynamoWriterOptions options)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDynamoWriter(o => Copy(options, o));
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host, options);
    }

    private static void Copy(DynamoWriterOptions from, DynamoWriterOptions to)
    {
        to.Stream = from.Stream;
        to.DynamoDB = from.DynamoDB;
        to.Mapping = from.Mapping;
        to.Checkpoint = from.Checkpoint;
        to.Http = from.Http;
        to.Log = from.Log;
        to.ShutdownTimeout = from.ShutdownTimeout;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(cts.Token);
        Host.Dispose();
    }
}
