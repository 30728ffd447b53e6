using System.Net;
using System.Net.Http.Json;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Samples.EmbeddedHost;
using DynamoWriter.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DynamoWriter.Samples.Tests;

/// <summary>One started sample app with its own stream, table, group and checkpoint table.</summary>
internal sealed class SampleHost : IAsyncDisposable
{
    private SampleHost(WebApplication app, string stream, string table, HttpClient http)
    {
        App = app;
        Stream = stream;
        Table = table;
        Http = http;
    }

    public WebApplication App { get; }
    public string Stream { get; }
    public string Table { get; }
    public HttpClient Http { get; }

    /// <summary>The port of the silo's gateway, for Orleans clients of this host.</summary>
    public int GatewayPort => App.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().GatewayAddress!.Endpoint.Port;

    /// <summary>The Orleans ids clients pass to reach this host's silo.</summary>
    public (string ClusterId, string ServiceId) Ids =>
        (App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value.ClusterId,
         App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId);

    public static async Task<SampleHost> StartAsync(string format)
    {
        var stream = TestServers.Unique("orders");
        var table = TestServers.Unique("orders");
        var app = SampleApp.Build(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            [SampleApp.StreamKey] = stream,
            ["sc:stream:redis:address"] = TestServers.RedisAddress,
            ["sc:stream:streams:0"] = stream,
            ["sc:stream:group"] = TestServers.Unique("g"),
            ["sc:stream:pollInterval"] = "50ms",
            ["sc:dynamoDB:endpoint"] = TestServers.DynamoEndpoint,
            ["sc:dynamoDB:tableName"] = table,
            ["sc:dynamoDB:createTable"] = "true",
            ["sc:mapping:format"] = format,
            ["sc:checkpoint:tableName"] = TestServers.Unique("cp"),
            ["sc:checkpoint:interval"] = "1s",
            // Its own single silo on free ports, so tests (and a sample running on the defaults) never collide.
            ["sc:orleans:clustering"] = "localhost",
            ["sc:orleans:clusterId"] = TestServers.Unique("c"),
            ["sc:orleans:siloPort"] = "0",
            ["sc:orleans:gatewayPort"] = "0",
            ["sc:orleans:queues"] = "2",
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new SampleHost(app, stream, table, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async Task PostAsync(Order order)
    {
        using var response = await Http.PostAsJsonAsync("/orders", order);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var published = await response.Content.ReadFromJsonAsync<Published>();
        Assert.Equal(Stream, published!.Stream);
        Assert.Matches("^[0-9]+-[0-9]+$", published.EntryId);
    }

    /// <summary>Waits until the table holds <paramref name="count"/> items; returns them by <c>pk</c>.</summary>
    public async Task<Dictionary<string, Dictionary<string, AttributeValue>>> WaitForItemsAsync(int count)
    {
        using var dynamo = TestTables.Client();
        var items = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await TestTables.ScanAllAsync(dynamo, Table);
                }
                catch (ResourceNotFoundException)
                {
                    return []; // the writer creates the table at start
                }
            },
            found => found.Count >= count, TimeSpan.FromSeconds(60), $"{count} items in {Table}");
        Assert.Equal(count, items.Count);
        return items.ToDictionary(i => i["pk"].S, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
