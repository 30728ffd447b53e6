using System.CommandLine;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.DynamoDb;
using Spectre.Console;

namespace DynamoWriter.Silo.Commands;

/// <summary><c>dynamo-writer peek</c>: how many items a table holds and a few of them, to watch entries arrive.</summary>
internal static class PeekCommand
{
    private static readonly Option<string?> Table = new("--table", "-t") { Description = "Table to read (default: sc.dynamoDB.tableName)." };
    private static readonly Option<int> Limit = new("--limit", "-l") { Description = "Items to show.", DefaultValueFactory = _ => 5 };

    public static Command Create()
    {
        var peek = new Command("peek", "Show the item count and a few items of a table.");
        peek.Options.Add(Table);
        peek.Options.Add(Limit);
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
            grid.AddRow(Markup.Escape(string.Join(", ", item.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={Render(a.Value)}"))));
        }

        AnsiConsole.Write(grid);
        return 0;
    }

    private static string Render(AttributeValue v) =>
        v.S ?? v.N ?? (v.BOOL is { } b ? b.ToString() : v.M is { Count: > 0 } ? "{…}" : v.L is { Count: > 0 } ? "[…]" : v.NULL == true ? "null" : "?");
}
