using System.CommandLine;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;
using Spectre.Console;

namespace DynamoWriter.Silo.Commands;

/// <summary>
/// <c>dynamo-writer peek</c>: how many items a table holds and a few of them, to watch entries arrive;
/// with <c>--key</c> the one item with that hash key, to watch a put or a delete land.
/// </summary>
internal static class PeekCommand
{
    private static readonly Option<string?> Table = new("--table", "-t") { Description = "Table to read (default: sc.dynamoDB.tableName)." };
    private static readonly Option<int> Limit = new("--limit", "-l") { Description = "Items to show.", DefaultValueFactory = _ => 5 };
    private static readonly Option<string?> Key = new("--key", "-k") { Description = "Show only the item with this hash key (exit code 1 when there is none)." };

    public static Command Create()
    {
        var peek = new Command("peek", "Show the item count and a few items of a table.");
        peek.Options.Add(Table);
        peek.Options.Add(Limit);
        peek.Options.Add(Key);
        peek.SetAction((parse, ct) => ExecuteAsync(parse, ct));
        return peek;
    }

    private static async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (CommonOptions.Load(parse) is not { } loaded)
        {
            return 2;
        }

        var table = parse.GetValue(Table) ?? loaded.Options.DynamoDB.TableName;
        using var client = DynamoClientFactory.Create(loaded.Options.DynamoDB);
        if (parse.GetValue(Key) is { } key)
        {
            return await ShowOneAsync(client, loaded.Options.DynamoDB, table, key, cancellationToken).ConfigureAwait(false);
        }

        long count = 0;
        var shown = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start }, cancellationToken).ConfigureAwait(false);
            count += page.Count ?? 0;
            shown.AddRange((page.Items ?? []).Take(Math.Max(0, parse.GetValue(Limit) - shown.Count)));
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(table)}[/]: {count} items");
        var grid = new Table().AddColumn("item");
        foreach (var item in shown)
        {
            grid.AddRow(Markup.Escape(Describe(item)));
        }

        AnsiConsole.Write(grid);
        return 0;
    }

    private static async Task<int> ShowOneAsync(IAmazonDynamoDB client, DynamoDbOptions options, string table, string hashKey, CancellationToken ct)
    {
        var schema = await new TableCatalog(client, options).GetSchemaAsync(table, ct).ConfigureAwait(false);
        if (ItemReader.KeyFor(schema, hashKey, out var error) is not { } key)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(error!)}[/]");
            return 2;
        }

        if (await new ItemReader(client, options).GetAsync(table, key, ct).ConfigureAwait(false) is not { } item)
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(table)}[/]: no item with {Markup.Escape(schema.Hash.Name)} = {Markup.Escape(hashKey)}");
            return 1;
        }

        AnsiConsole.WriteLine(Describe(item));
        return 0;
    }

    private static string Describe(Dictionary<string, AttributeValue> item) =>
        string.Join(", ", item.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={Render(a.Value)}"));

    private static string Render(AttributeValue v) =>
        v.S ?? v.N ?? (v.BOOL is { } b ? b.ToString() : v.M is { Count: > 0 } ? "{…}" : v.L is { Count: > 0 } ? "[…]" : v.NULL == true ? "null" : "?");
}
