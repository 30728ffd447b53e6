using System.Globalization;
using System.Text.Json;
using DynamoWriter.Options;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Samples.EmbeddedHost;

/// <summary>
/// An ASP.NET Core app that embeds the DynamoWriter engine: <c>POST /orders</c> publishes an order with
/// <see cref="IStreamPublisher"/>, and the engine running in the same process writes it to DynamoDB.
/// </summary>
internal static class SampleApp
{
    /// <summary>Configuration key of the stream orders are published to (default: <see cref="DefaultStream"/>).</summary>
    public const string StreamKey = "sample:stream";
    public const string DefaultStream = "orders";

    /// <summary>
    /// Builds the app from <paramref name="args"/>, appsettings.json, <c>SC_*</c> environment variables and
    /// then <paramref name="settings"/> (tests pass the servers, stream, table and group here).
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

        // The whole engine (a hosted service), its health checks and an IStreamPublisher.
        builder.Services.AddDynamoWriter(builder.Configuration.GetSection(DynamoWriterOptions.SectionName));

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
}
