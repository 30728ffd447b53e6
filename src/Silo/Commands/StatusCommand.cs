using System.CommandLine;
using System.Globalization;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Status;
using DynamoWriter.Silo.Hosting;
using DynamoWriter.Status;
using Spectre.Console;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Commands;

/// <summary>
/// <c>dynamo-writer status [--json]</c>: per stream of the group its length, lag, pending count, oldest
/// pending age, dead-letter length and checkpoint, and the live nodes; tables for people, JSON for scripts.
/// </summary>
internal static class StatusCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int RedirectedWidth = 200;

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON document (schema in the README, \"Status\") instead of tables." };

    private static readonly Option<bool> Direct = new("--direct") { Description = "Read Redis and DynamoDB directly instead of asking the running cluster through its gateway." };

    public static Command Create()
    {
        var status = new Command("status", "Show each stream's length, lag, pending entries, dead letters and checkpoint, and the live nodes.");
        status.Options.Add(Json);
        status.Options.Add(Direct);
        status.SetAction((parse, ct) => ExecuteAsync(parse, ct));
        return status;
    }

    private static async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (CommonOptions.Load(parse) is not { } loaded)
        {
            return 2;
        }

        var options = loaded.Options;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        StatusReport report;
        string source;
        try
        {
            // The cluster first: a running silo answers over the connections it already holds. When no gateway
            // answers (no silo up), the same StatusReader runs here against Redis and DynamoDB.
            if (!parse.GetValue(Direct) && await ClusterGateway.TryGetStatusAsync(options, timeout.Token).ConfigureAwait(false) is { } fromCluster)
            {
                report = fromCluster;
                source = "the cluster, through its gateway";
            }
            else
            {
                await using var redis = new DynamoWriterRedis(options.Stream.EffectiveServer, "dynamo-writer:status");
                using var dynamo = DynamoClientFactory.Create(options.DynamoDB);
                report = await new StatusReader(redis, dynamo, options, TimeProvider.System).ReadAsync(timeout.Token).ConfigureAwait(false);
                source = parse.GetValue(Direct)
                    ? "Redis and DynamoDB (--direct)"
                    : $"Redis and DynamoDB (no gateway answered within {ClusterGateway.ConnectTimeout.TotalSeconds:F0}s)";
            }
        }
        catch (Exception ex) when (ex is RedisException or FormatException or IOException or TimeoutException or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException
                                       or OrleansException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await Console.Error.WriteLineAsync($"status: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        if (parse.GetValue(Json))
        {
            await Console.Out.WriteLineAsync(report.ToJson()).ConfigureAwait(false);
            return 0;
        }

        Render(report, source);
        return 0;
    }

    private static void Render(StatusReport report, string source)
    {
        if (Console.IsOutputRedirected)
        {
            // Piped to a file, grep or less: Spectre assumes 80 columns there and would wrap every key name.
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, RedirectedWidth);
        }

        AnsiConsole.MarkupLine($"[bold]group[/] {Markup.Escape(report.Group)}  [grey]{report.GeneratedAt.ToString("u", CultureInfo.InvariantCulture)}, from {Markup.Escape(source)}[/]");
        var streams = new Table().Title("streams")
            .AddColumn("stream").AddColumn(new TableColumn("length").RightAligned()).AddColumn(new TableColumn("lag").RightAligned())
            .AddColumn(new TableColumn("pending").RightAligned()).AddColumn(new TableColumn("oldest pending").RightAligned())
            .AddColumn(new TableColumn("dead letters").RightAligned()).AddColumn("checkpoint").AddColumn("queue").AddColumn("read by");
        foreach (var s in report.Streams)
        {
            streams.AddRow(
                Markup.Escape(s.Stream) + (s.Exists ? "" : " [grey](missing)[/]"),
                Number(s.Length),
                s.GroupExists ? (s.Lag is { } lag ? Number(lag) : "?") : "[grey]no group[/]",
                s.GroupExists ? Number(s.Pending) : "-",
                s.OldestPendingAgeSeconds is { } age && s.Pending > 0 ? Age(age) : "-",
                Number(s.DeadLetter.Length),
                s.Checkpoint is { } cp ? $"{Markup.Escape(cp.Id)} [grey]({Number(cp.Written)} written, {Number(cp.Deleted)} deleted)[/]" : "[grey]none[/]",
                Markup.Escape(s.Queue ?? "-"),
                s.Owner is { } owner ? Markup.Escape(owner) : "[grey]nobody[/]");
        }

        AnsiConsole.Write(streams);
        if (report.Silos.Count > 0)
        {
            var silos = new Table().Title("silos")
                .AddColumn("name").AddColumn("address").AddColumn("host").AddColumn("status").AddColumn("started").AddColumn("last alive");
            foreach (var silo in report.Silos)
            {
                silos.AddRow(Markup.Escape(silo.Name), Markup.Escape(silo.Address), Markup.Escape(silo.Host), Markup.Escape(silo.Status),
                    silo.StartedAt.ToString("u", CultureInfo.InvariantCulture), silo.LastAliveAt.ToString("u", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(silos);
        }

        if (report.Nodes.Count == 0)
        {
            AnsiConsole.MarkupLine("[yellow]no live nodes[/] (no heartbeat key for this group)");
            return;
        }

        var nodes = new Table().Title("nodes")
            .AddColumn("name").AddColumn("host").AddColumn(new TableColumn("pid").RightAligned()).AddColumn("version").AddColumn("started")
            .AddColumn(new TableColumn("heartbeat").RightAligned()).AddColumn("streams").AddColumn("queues")
            .AddColumn(new TableColumn("read").RightAligned()).AddColumn(new TableColumn("written").RightAligned())
            .AddColumn(new TableColumn("deleted").RightAligned()).AddColumn(new TableColumn("skipped").RightAligned()).AddColumn(new TableColumn("dead-lettered").RightAligned())
            .AddColumn(new TableColumn("acked").RightAligned());
        foreach (var n in report.Nodes)
        {
            nodes.AddRow(
                Markup.Escape(n.Name), Markup.Escape(n.Host), n.Pid.ToString(CultureInfo.InvariantCulture), Markup.Escape(n.Version),
                n.StartedAt.ToString("u", CultureInfo.InvariantCulture), Age(n.LastHeartbeatAgeSeconds) + " ago",
                Markup.Escape(string.Join(", ", n.Streams)), Markup.Escape(string.Join(", ", n.Queues)),
                Number(n.Counts.Read), Number(n.Counts.Written), Number(n.Counts.Deleted), Number(n.Counts.Skipped), Number(n.Counts.DeadLettered), Number(n.Counts.Acknowledged));
        }

        AnsiConsole.Write(nodes);
    }

    private static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Age(double seconds) =>
        seconds < 60 ? seconds.ToString("F1", CultureInfo.InvariantCulture) + "s"
        : TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds < 3600 ? @"m\mss\s" : @"h\hmm\mss\s", CultureInfo.InvariantCulture);
}
