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

/// <summary>
/// The sample host, built with <see cref="SampleApp.Build"/> and started in this process against the test
/// servers: orders posted over HTTP and entries published with <see cref="IStreamPublisher"/> end up in
/// DynamoDB, written by the writer grains of the silo the same host runs, in both mapping formats.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EmbeddedHostTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly Order[] Orders =
    [
        new("o-1", "ada", 12.5m, ["book", "pen"]),
        new("o-2", "grace", 3m, ["tape"]),
        new("o-3", "edsger", 0.25m, []),
    ];

    [Fact]
    public async Task Fields_format_orders_arrive_as_string_attributes()
    {
        await using var host = await SampleHost.StartAsync("fields");

        foreach (var order in Orders)
        {
            await host.PostAsync(order);
        }

        var publisher = host.App.Services.GetRequiredService<IStreamPublisher>();
        var direct = await publisher.PublishFieldsAsync(host.Stream, [new("pk", "direct-1"), new("customer", "barbara"), new("note", "published directly")]);
        Assert.False(string.IsNullOrEmpty(direct));

        var items = await host.WaitForItemsAsync(Orders.Length + 1);

        var first = items["o-1"];
        Assert.Equal("ada", first["customer"].S);
        Assert.Equal("12.5", first["amount"].S);
        Assert.Equal("book,pen", first["items"].S);
        Assert.Equal("3", items["o-2"]["amount"].S);
        Assert.Equal("", items["o-3"]["items"].S);
        Assert.Equal("published directly", items["direct-1"]["note"].S);
        Assert.All(items.Values, item => Assert.All(item.Values, v => Assert.NotNull(v.S)));
    }

    [Fact]
    public async Task Json_format_orders_keep_numbers_and_lists()
    {
        await using var host = await SampleHost.StartAsync("json");

        foreach (var order in Orders)
        {
            await host.PostAsync(order);
        }

        var publisher = host.App.Services.GetRequiredService<IStreamPublisher>();
        await publisher.PublishJsonAsync(host.Stream, """{"pk":"direct-1","customer":"barbara","amount":7,"paid":true,"address":{"city":"Zurich"}}""");

        var items = await host.WaitForItemsAsync(Orders.Length + 1);

        var first = items["o-1"];
        Assert.Equal("ada", first["customer"].S);
        Assert.Equal("12.5", first["amount"].N);
        Assert.Equal(["book", "pen"], first["items"].L.Select(v => v.S));
        Assert.Equal("0.25", items["o-3"]["amount"].N);
        Assert.Empty(items["o-3"]["items"].L);
        var direct = items["direct-1"];
        Assert.Equal("7", direct["amount"].N);
        Assert.True(direct["paid"].BOOL);
        Assert.Equal("Zurich", direct["address"].M["city"].S);
    }

    [Fact]
    public async Task An_order_without_an_id_is_refused()
    {
        await using var host = await SampleHost.StartAsync("fields");
        using var response = await host.Http.PostAsJsonAsync("/orders", new Order("", "nobody", 1m, null));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_reports_healthy_once_the_silo_and_backends_are_up()
    {
        await using var host = await SampleHost.StartAsync("fields");
        var status = await Eventually.WaitAsync(
            async () =>
            {
                using var response = await host.Http.GetAsync("/healthz");
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            r => r.StatusCode == HttpStatusCode.OK, Deadline, "GET /healthz to answer 200");
        Assert.Equal("Healthy", status.Body);
    }

    /// <summary>One started sample app with its own stream, table, group and checkpoint table.</summary>
    private sealed class SampleHost : IAsyncDisposable
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
                found => found.Count >= count, Deadline, $"{count} items in {Table}");
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
}
