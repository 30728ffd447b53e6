using System.Net;
using System.Net.Http.Json;
using DynamoWriter.Samples.EmbeddedHost;
using DynamoWriter.Tests;
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
}
