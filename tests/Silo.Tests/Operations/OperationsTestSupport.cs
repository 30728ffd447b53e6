using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>One sample line of a Prometheus exposition.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Name, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Name, out var v) && v == l.Value);
}

/// <summary>A small parser of the text format, enough to assert on what /metrics returns.</summary>
internal static partial class Exposition
{
    public static IReadOnlyList<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a sample line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
            {
                labels[l.Groups["name"].Value] = Unescape(l.Groups["value"].Value);
            }

            var value = m.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(m.Groups["name"].Value, labels, value));
        }

        return samples;
    }

    /// <summary>Metric family names from the <c># TYPE</c> lines, with the series names a histogram adds.</summary>
    public static IReadOnlyDictionary<string, string> Types(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ');
            types[parts[2]] = parts[3];
        }

        return types;
    }

    public static ISet<string> SeriesNames(string text)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, type) in Types(text))
        {
            names.Add(name);
            if (type == "histogram")
            {
                names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
            }
        }

        return names;
    }

    /// <summary>The one sample of <paramref name="name"/> with these labels (others may exist), or 0 when absent.</summary>
    public static double Value(IReadOnlyList<Sample> samples, string name, params (string Name, string Value)[] labels)
    {
        var matching = samples.Where(s => s.Name == name && s.Has(labels)).ToList();
        Assert.True(matching.Count <= 1, $"{matching.Count} series of {name} match {string.Join(",", labels)}");
        return matching.Count == 0 ? 0 : matching[0].Value;
    }

    private static string Unescape(string value) =>
        Regex.Replace(value, @"\\(.)", m => m.Groups[1].Value == "n" ? "\n" : m.Groups[1].Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}

internal static class Promtool
{
    /// <summary>
    /// <c>promtool check metrics</c> on <paramref name="exposition"/>: exit code and everything it printed.
    /// It lints as well as parses, so any output (a missing HELP, a counter without _total...) is a finding.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var path = File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool" : "promtool";
        var info = new ProcessStartInfo(path, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}

/// <summary>HTTP GETs against the service's operations port that report "not listening yet" as null.</summary>
internal sealed class OperationsClient(int port) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

    public async Task<(HttpStatusCode Status, string Body, string? ContentType)?> TryGetAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync(path);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task<string> ScrapeAsync()
    {
        var result = await TryGetAsync("/metrics") ?? throw new InvalidOperationException("/metrics did not answer");
        Assert.Equal(HttpStatusCode.OK, result.Status);
        return result.Body;
    }

    public void Dispose() => _http.Dispose();
}

internal static class ServiceWait
{
    /// <summary><see cref="DynamoWriter.Tests.Eventually"/>, with the service's output (read at failure time) in the message.</summary>
    public static async Task<T> UntilAsync<T>(ServiceProcess service, Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        try
        {
            return await DynamoWriter.Tests.Eventually.WaitAsync(probe, done, timeout, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nService output:\n{service.Output}", ex);
        }
    }
}
