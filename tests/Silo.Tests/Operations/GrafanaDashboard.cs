using System.Text.Json;
using DynamoWriter.Tests;
using System.Text.RegularExpressions;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>The PromQL of deploy/grafana's dashboard and the metric names it queries.</summary>
internal static partial class GrafanaDashboard
{
    public static readonly string FilePath = Path.Combine(Repository.Root, "deploy", "grafana", "dynamowriter-dashboard.json");

    /// <summary>Every panel target's expression and every template variable's query; row panels hold none.</summary>
    public static IReadOnlyList<string> Expressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(FilePath));
        var expressions = new List<string>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                expressions.AddRange(targets.EnumerateArray().Select(t => t.GetProperty("expr").GetString()!));
            }
        }

        expressions.AddRange(dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Select(v => v.GetProperty("definition").GetString()!));
        return expressions;
    }

    /// <summary>The names of our metrics, Orleans' and the runtime's in one expression.</summary>
    public static IReadOnlyList<string> MetricsIn(string expression) =>
        MetricReference().Matches(expression).Select(m => m.Value).ToList();

    /// <summary>Every metric the dashboard queries whose name starts with <paramref name="prefix"/>.</summary>
    public static ISet<string> Metrics(string prefix) =>
        Expressions().SelectMany(MetricsIn).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\b(?:dynamowriter|orleans|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricReference();
}
