using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Options;
using DynamoWriter.Pipeline.Engine;
using DynamoWriter.Redis;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline.Tests.Recovery;

/// <summary>
/// The engine in a Generic Host whose log lines are kept, so tests can assert on what it said
/// (e.g. that a group was recreated at the checkpoint), plus direct Redis/DynamoDB helpers.
/// </summary>
internal sealed class RecoveryEngine : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private RecoveryEngine(IHost host, LogSink logs)
    {
        _host = host;
        Logs = logs;
        Engine = host.Services.GetRequiredService<DynamoWriterEngine>();
    }

    /// <summary>The engine; its totals stay readable after the host is stopped and disposed.</summary>
    public DynamoWriterEngine Engine { get; }

    public LogSink Logs { get; }

    public static async Task<RecoveryEngine> StartAsync(DynamoWriterOptions options, LogSink? logs = null)
    {
        logs ??= new LogSink();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddProvider(logs);
        builder.Services.AddDynamoWriter(o =>
        {
            o.Stream = options.Stream;
            o.DynamoDB = options.DynamoDB;
            o.Mapping = options.Mapping;
            o.Checkpoint = options.Checkpoint;
            o.Http = options.Http;
            o.Log = options.Log;
            o.ShutdownTimeout = options.ShutdownTimeout;
        });
        var host = builder.Build();
        await host.StartAsync();
        return new RecoveryEngine(host, logs);
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
        await _host.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}

/// <summary>Keeps every log line of one engine.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Event, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, EventId Event, string Message)> Lines => [.. _lines];

    public bool Contains(int eventId, string text) =>
        _lines.Any(l => l.Event.Id == eventId && l.Message.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._lines.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}

internal static class RecoveryKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    public static RedisClient Redis() => new(new RedisClientOptions { Address = TestServers.RedisAddress });

    /// <summary>Options for a fresh group, consumer, table and checkpoint table, reading fast.</summary>
    public static DynamoWriterOptions NewOptions(params string[] streams)
    {
        var options = EngineHost.NewOptions(streams);
        options.Checkpoint.TableName = TestServers.Unique("cp");
        options.Checkpoint.Interval = TimeSpan.FromSeconds(1);
        options.DynamoDB.FlushInterval = TimeSpan.FromMilliseconds(20);
        return options;
    }

    /// <summary>Creates a table with a hash key of the given name and type and waits until it is ACTIVE.</summary>
    public static async Task CreateTableAsync(IAmazonDynamoDB dynamo, string table, string hashKey, ScalarAttributeType type)
    {
        await dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            KeySchema = [new KeySchemaElement(hashKey, KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition(hashKey, type)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        await Eventually.WaitAsync(
            async () => (await dynamo.DescribeTableAsync(table)).Table.TableStatus,
            s => s == TableStatus.ACTIVE,
            Deadline,
            $"table {table} active");
    }

    public static async Task<int> PendingAsync(RedisClient redis, string stream, string group) =>
        (int)(await redis.XPendingAsync(stream, group)).Count;

    public static async Task<IReadOnlyList<StreamEntry>> AllAsync(RedisClient redis, string stream) =>
        await redis.XRangeAsync(stream, "-", "+");

    /// <summary>The fields of an entry that are not DynamoWriter's own (<c>dw:</c>), in order.</summary>
    public static List<StreamField> Original(StreamEntry entry) =>
        [.. entry.Fields.Where(f => !f.Name.StartsWith("dw:", StringComparison.Ordinal))];

    public static async Task<Dictionary<string, AttributeValue>?> GetAsync(IAmazonDynamoDB dynamo, string table, string keyName, AttributeValue key)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { [keyName] = key }, ConsistentRead = true });
        return response.Item is { Count: > 0 } item ? item : null;
    }
}
