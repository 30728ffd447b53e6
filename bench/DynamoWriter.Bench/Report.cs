using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace DynamoWriter.Bench;

/// <summary>One figure, with the ceiling (or limit) it is compared to and the goal the ratio should meet.</summary>
internal sealed record Row(
    string Id,
    string Measurement,
    double Value,
    string Unit,
    string? Against = null,
    double? Reference = null,
    string? Goal = null,
    bool? GoalMet = null,
    string? Note = null)
{
    /// <summary>Value divided by the ceiling (throughput) or by the limit (latency, memory).</summary>
    public double? Ratio => Reference is { } r && r > 0 ? Value / r : null;
}

internal sealed class Report
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public List<Row> Rows { get; } = [];
    public Dictionary<string, object?> Machine { get; } = [];
    public Dictionary<string, object?> Settings { get; } = [];
    public List<string> Notes { get; } = [];

    public void Add(Row row)
    {
        // Kept in scenario order (1, 2, ... 7c) whatever order the scenarios ran in.
        var at = Rows.FindIndex(r => string.CompareOrdinal(r.Id, row.Id) > 0);
        Rows.Insert(at < 0 ? Rows.Count : at, row);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "  [grey]{0}[/] {1}: [bold]{2}[/] {3}{4}",
            row.Id, Markup.Escape(row.Measurement), Format(row.Value), Markup.Escape(row.Unit),
            row.Ratio is { } r ? $" ({r:F2} of {Markup.Escape(row.Against ?? "")})" : "");
    }

    public Row? Find(string id) => Rows.FirstOrDefault(r => r.Id == id);

    public void Print()
    {
        var table = new Table().Border(TableBorder.Rounded).Title("DynamoWriter benchmark");
        table.AddColumns("#", "measurement", "figure", "ceiling / limit", "ratio", "goal");
        foreach (var r in Rows)
        {
            var goal = r.Goal is null ? "" : r.GoalMet switch
            {
                true => $"[green]{Markup.Escape(r.Goal)} ✓[/]",
                false => $"[red]{Markup.Escape(r.Goal)} ✗[/]",
                null => Markup.Escape(r.Goal),
            };
            table.AddRow(
                r.Id,
                Markup.Escape(r.Measurement),
                $"{Format(r.Value)} {Markup.Escape(r.Unit)}",
                r.Reference is { } c ? $"{Format(c)} ({Markup.Escape(r.Against ?? "")})" : "",
                r.Ratio is { } ratio ? ratio.ToString("F2", CultureInfo.InvariantCulture) : "",
                goal);
        }

        AnsiConsole.Write(table);
        foreach (var n in Notes)
        {
            AnsiConsole.MarkupLine("[grey]{0}[/]", Markup.Escape(n));
        }
    }

    public async Task<string> WriteAsync(string directory, DateTime started)
    {
        Directory.CreateDirectory(directory);
        var document = new
        {
            started = started.ToString("O", CultureInfo.InvariantCulture),
            machine = Machine,
            settings = Settings,
            rows = Rows.Select(r => new
            {
                r.Id,
                r.Measurement,
                value = Math.Round(r.Value, 3),
                r.Unit,
                r.Against,
                reference = r.Reference is { } c ? Math.Round(c, 3) : (double?)null,
                ratio = r.Ratio is { } x ? Math.Round(x, 3) : (double?)null,
                r.Goal,
                r.GoalMet,
                r.Note,
            }),
            notes = Notes,
        };
        var json = JsonSerializer.Serialize(document, Json);
        var file = Path.Combine(directory, started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + ".json");
        await File.WriteAllTextAsync(file, json);
        await File.WriteAllTextAsync(Path.Combine(directory, "latest.json"), json);
        return file;
    }

    private static string Format(double v) =>
        v >= 100 ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
}
