using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Options;
using Spectre.Console;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Commands;

/// <summary><c>dynamo-writer produce</c>: adds demo entries to a stream, pipelined, with a progress bar.</summary>
internal static class ProduceCommand
{
    private const int Window = 512;

    private static readonly Option<string> Stream = new("--stream", "-s") { Description = "Stream key to add entries to.", Required = true };
    private static readonly Option<int> Count = new("--count", "-n") { Description = "How many entries.", DefaultValueFactory = _ => 1000 };
    private static readonly Option<string?> Format = new("--format") { Description = "fields or json (default: sc.mapping.format)." };
    private static readonly Option<string> KeyField = new("--key-field") { Description = "Name of the key attribute.", DefaultValueFactory = _ => "pk" };
    private static readonly Option<string> Prefix = new("--prefix") { Description = "Key prefix; keys are <prefix>-<n>.", DefaultValueFactory = _ => "demo" };
    private static readonly Option<int> PayloadBytes = new("--payload-bytes") { Description = "Size of the filler attribute.", DefaultValueFactory = _ => 200 };
    private static readonly Option<bool> Delete = new("--delete") { Description = "Add delete entries (sc.mapping.operationField = delete) for the same keys instead of puts." };

    public static Command Create()
    {
        var produce = new Command("produce", "Add demo entries to a stream.");
        produce.Options.Add(Stream);
        produce.Options.Add(Count);
        produce.Options.Add(Format);
        produce.Options.Add(KeyField);
        produce.Options.Add(Prefix);
        produce.Options.Add(PayloadBytes);
        produce.Options.Add(Delete);
        Format.AcceptOnlyFromAmong("fields", "json");
        produce.SetAction((parse, ct) => ExecuteAsync(parse, ct));
        return produce;
    }

    private static async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (CommonOptions.Load(parse) is not { } loaded)
        {
            return 2;
        }

        var options = loaded.Options;
        var stream = parse.GetRequiredValue(Stream);
        var count = parse.GetValue(Count);
        var json = string.Equals(parse.GetValue(Format) ?? options.Mapping.Format.ToString(), "json", StringComparison.OrdinalIgnoreCase);
        var keyField = parse.GetValue(KeyField)!;
        var prefix = parse.GetValue(Prefix)!;
        var filler = new string('x', Math.Max(0, parse.GetValue(PayloadBytes)));
        var delete = parse.GetValue(Delete);
        if (delete && string.IsNullOrEmpty(options.Mapping.OperationField))
        {
            AnsiConsole.MarkupLine("[red]--delete needs sc.mapping.operationField, which is empty (deletes are off)[/]");
            return 2;
        }

        NameValueEntry[] operation = delete ? [new(options.Mapping.OperationField, MappingOptions.DeleteOperation)] : [];

        await using var redis = new DynamoWriterRedis(options.Stream.EffectiveServer, "dynamo-writer:produce");
        var db = await redis.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var started = DateTime.UtcNow;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"{stream} ({(json ? "json" : "fields")}{(delete ? ", deletes" : "")})", maxValue: count);
                var inFlight = new List<Task<RedisValue>>(Window);
                for (var i = 0; i < count; i++)
                {
                    var key = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i}");
                    // A delete carries the key as a put does; the other attributes are ignored, so it sends none.
                    NameValueEntry[] fields = (json, delete) switch
                    {
                        (true, false) => [new(options.Mapping.PayloadField, JsonPayload(keyField, key, i, filler))],
                        (true, true) => [.. operation, new(options.Mapping.PayloadField, JsonSerializer.Serialize(new Dictionary<string, string> { [keyField] = key }))],
                        (false, false) => [new(keyField, key), new("seq", i.ToString(CultureInfo.InvariantCulture)), new("source", "produce"), new("data", filler)],
                        (false, true) => [.. operation, new(keyField, key)],
                    };
                    // Not awaited one by one: StackExchange.Redis pipelines every command sent before the replies come back.
                    inFlight.Add(db.StreamAddAsync(stream, fields));
                    if (inFlight.Count == Window)
                    {
                        await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
                        task.Increment(inFlight.Count);
                        inFlight.Clear();
                    }
                }

                await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
                task.Increment(inFlight.Count);
            }).ConfigureAwait(false);

        var seconds = Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "[green]added {0} {1} to {2} in {3:F2}s ({4:F0}/s)[/]", count, delete ? "deletes" : "entries", Markup.Escape(stream), seconds, count / seconds);
        return 0;
    }

    private static string JsonPayload(string keyField, string key, int i, string filler)
    {
        var payload = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [keyField] = key,
            ["seq"] = i,
            ["source"] = "produce",
            ["ok"] = true,
            ["tags"] = new[] { "demo", "dynamo-writer" },
            ["detail"] = new Dictionary<string, object> { ["data"] = filler },
        };
        return JsonSerializer.Serialize(payload);
    }
}
