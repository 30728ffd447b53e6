using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DynamoWriter.Options;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Samples.EmbeddedHost;

/// <summary>
/// An ASP.NET Core app that co-hosts DynamoWriter in its own single-node Orleans silo: <c>POST /orders</c>
/// publishes an order with <see cref="IStreamPublisher"/>, and the writer grains of the same process write
/// it to DynamoDB.
/// </summary>
internal static class SampleApp
{
    /// <summary>Configuration key of the stream orders are published to (default: <see cref="DefaultStream"/>).</summary>
    public const string StreamKey = "sample:stream";
    public const string DefaultStream = "orders";

    /// <summary>
    /// Builds the app from <paramref name="args"/>, appsettings.json, <c>SC_*</c> environment variables and
    /// then <paramref name="settings"/> (tests pass the servers, stream, table, group and ports here).
    /// </summary>
    public static WebApplication Build(string[] args, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // The executable's configuration style (SC_STREAM_REDIS_ADDRESS=...) works here too.
        builder.Configuration.AddScEnvironmentVariables();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var section = builder.Configuration.GetSection(DynamoWriterOptions.SectionName);
        var orleans = section.GetSection("orleans").Get<OrleansOptions>() ?? new OrleansOptions();
        builder.UseOrleans(silo =>
        {
            // A single silo of its own on localhost; sc.orleans.siloPort/gatewayPort 0 pick free ports.
            silo.UseLocalhostClustering(
                siloPort: PortOrFree(orleans.SiloPort),
                gatewayPort: PortOrFree(orleans.GatewayPort),
                serviceId: orleans.ServiceId,
                clusterId: orleans.ClusterId);
            // The stream provider, writer grains, checkpoint storage, health checks, meters and IStreamPublisher.
            silo.AddDynamoWriter(section);
        });

        var app = builder.Build();
        app.MapPost("/orders", PublishOrderAsync);
        app.MapHealthChecks("/healthz");
        return app;
    }

    /// <summary>
    /// Publishes <paramref name="order"/> in the format the writer is configured for: with <c>fields</c>
    /// every attribute is a string; with <c>json</c> the order is one JSON object and keeps its types.
    /// </summary>
    internal static async Task<IResult> PublishOrderAsync(Order order, IStreamPublisher publisher, IOptions<DynamoWriterOptions> options,
        IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(order.Id))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["must not be empty"] });
        }

        var stream = configuration[StreamKey] ?? DefaultStream;
        var entryId = options.Value.Mapping.Format == MappingFormat.Json
            ? await publisher.PublishJsonAsync(stream, JsonSerializer.Serialize(OrderItem.From(order), SampleJson.Default.OrderItem), cancellationToken)
            : await publisher.PublishFieldsAsync(stream,
            [
                new("pk", order.Id),
                new("customer", order.Customer),
                new("amount", order.Amount.ToString(CultureInfo.InvariantCulture)),
                new("items", string.Join(',', order.Items ?? [])),
            ], cancellationToken);
        return Results.Accepted(value: new Published(stream, entryId));
    }

    /// <summary>Port 0 means any free port: Orleans needs the number up front to advertise it.</summary>
    private static int PortOrFree(int port)
    {
        if (port != 0)
        {
            return port;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
