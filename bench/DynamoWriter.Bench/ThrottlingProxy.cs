using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Bench;

/// <summary>
/// A DynamoDB endpoint on 127.0.0.1:0 that provisions a fixed write rate: writes within it are forwarded to the
/// real server, writes above it answer ProvisionedThroughputExceededException, as a table at its provisioned
/// capacity does. A token bucket counts items (a BatchWriteItem of 25 takes 25 tokens); reads pass freely.
/// </summary>
internal sealed class ThrottlingProxy : IAsyncDisposable
{
    private const string Throttle = """{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded (bench throttling proxy)"}""";

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly double _rate;
    private readonly double _burst;
    private readonly object _gate = new();
    private double _tokens;
    private long _refilledAt = Stopwatch.GetTimestamp();
    private long _throttled;
    private long _forwardedItems;

    private ThrottlingProxy(WebApplication app, string upstream, double itemsPerSecond)
    {
        _app = app;
        _upstream = new HttpClient { BaseAddress = new Uri(upstream) };
        _rate = itemsPerSecond;
        // A tenth of a second of capacity, at least one full batch: DynamoDB's burst allowance is larger, so
        // this is the stricter test.
        _burst = Math.Max(itemsPerSecond / 10, 50);
        _tokens = _burst;
    }

    public string Endpoint => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Write requests answered with throttling.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Items in the write requests passed on to the server.</summary>
    public long ForwardedItems => Interlocked.Read(ref _forwardedItems);

    public static async Task<ThrottlingProxy> StartAsync(string upstream, double itemsPerSecond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new ThrottlingProxy(app, upstream, itemsPerSecond);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var items = WriteItems(target, body);
        if (items > 0 && !TryTake(items))
        {
            Interlocked.Increment(ref _throttled);
            context.Response.StatusCode = (int)HttpStatusCode.BadRequest;
            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.WriteAsync(Throttle, context.RequestAborted);
            return;
        }

        Interlocked.Add(ref _forwardedItems, items);
        using var request = new HttpRequestMessage(HttpMethod.Post, context.Request.Path.Value) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in context.Request.Headers)
        {
            if (name.StartsWith("X-Amz", StringComparison.OrdinalIgnoreCase) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToArray());
            }
        }

        request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        using var response = await _upstream.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers)
        {
            // The SDK checks the body against x-amz-crc32: the body goes back unchanged, so does the header.
            if (name.StartsWith("x-amz", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private bool TryTake(int items)
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (Stopwatch.GetElapsedTime(_refilledAt, now).TotalSeconds * _rate));
            _refilledAt = now;
            if (_tokens < items)
            {
                return false;
            }

            _tokens -= items;
            return true;
        }
    }

    /// <summary>How many items a request writes (0 for reads and control-plane calls).</summary>
    private static int WriteItems(string target, byte[] body)
    {
        var operation = target[(target.LastIndexOf('.') + 1)..];
        switch (operation)
        {
            case "PutItem" or "DeleteItem" or "UpdateItem":
                return 1;
            case "BatchWriteItem":
                using (var json = JsonDocument.Parse(body))
                {
                    return json.RootElement.GetProperty("RequestItems").EnumerateObject().Sum(t => t.Value.GetArrayLength());
                }

            case "TransactWriteItems":
                using (var json = JsonDocument.Parse(body))
                {
                    return json.RootElement.GetProperty("TransactItems").GetArrayLength();
                }

            default:
                return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
