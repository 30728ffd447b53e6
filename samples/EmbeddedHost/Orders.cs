using System.Text.Json.Serialization;

namespace DynamoWriter.Samples.EmbeddedHost;

/// <summary>The body of <c>POST /orders</c>.</summary>
internal sealed record Order(string Id, string Customer, decimal Amount, IReadOnlyList<string>? Items);

/// <summary>The item a <c>json</c>-format entry becomes: <c>pk</c> is the table's hash key.</summary>
internal sealed record OrderItem(string Pk, string Customer, decimal Amount, IReadOnlyList<string> Items)
{
    public static OrderItem From(Order order) => new(order.Id, order.Customer, order.Amount, order.Items ?? []);
}

/// <summary>The answer of <c>POST /orders</c>: where the entry went.</summary>
internal sealed record Published(string Stream, string EntryId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OrderItem))]
internal sealed partial class SampleJson : JsonSerializerContext;
