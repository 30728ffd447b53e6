using System.CommandLine;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.DeadLetters;
using Spectre.Console;

namespace DynamoWriter.Silo.Commands;

/// <summary><c>dynamo-writer dlq replay</c>: moves dead-letter entries back to their source stream.</summary>
internal static class DlqCommand
{
    private static readonly Option<string> Stream = new("--stream", "-s") { Description = "Source stream whose dead-letter stream (sc.stream.deadLetter.stream) is replayed.", Required = true };
    private static readonly Option<long?> Count = new("--count", "-n") { Description = "At most this many entries, oldest first (default: all)." };

    public static Command Create()
    {
        var replay = new Command("replay", "Move dead-letter entries back to their source stream, to be processed again.");
        replay.Options.Add(Stream);
        replay.Options.Add(Count);
        Count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 0)
            {
                result.AddError("--count must not be negative.");
            }
        });
        replay.SetAction((parse, ct) => ReplayAsync(parse, ct));

        var dlq = new Command("dlq", "Work with dead-letter streams.");
        dlq.Subcommands.Add(replay);
        return dlq;
    }

    private static async Task<int> ReplayAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (CommonOptions.Load(parse) is not { } loaded)
        {
            return 2;
        }

        var options = loaded.Options;
        var stream = parse.GetRequiredValue(Stream);
        var deadLetterStream = options.Stream.DeadLetter.KeyFor(stream);
        await using var redis = new DynamoWriterRedis(options.Stream.EffectiveServer, "dynamo-writer:dlq");
        var result = await new DeadLetterReplayer(redis).ReplayAsync(deadLetterStream, stream, parse.GetValue(Count), cancellationToken).ConfigureAwait(false);
        AnsiConsole.MarkupLine($"[green]moved {result.Moved} {(result.Moved == 1 ? "entry" : "entries")} from {Markup.Escape(deadLetterStream)} back to their source stream[/]");
        if (result.Kept > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]kept {result.Kept} {(result.Kept == 1 ? "entry" : "entries")} with no original fields to replay[/]");
        }

        return 0;
    }
}
