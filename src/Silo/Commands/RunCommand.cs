using System.CommandLine;
using DynamoWriter.Configuration;
using DynamoWriter.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Silo.Commands;

/// <summary><c>dynamo-writer run</c>: the service in the foreground until SIGTERM or Ctrl-C.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var run = new Command("run", "Run the service (the default command).");
        run.SetAction((parse, ct) => ExecuteAsync(parse, ct));
        return run;
    }

    public static async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (CommonOptions.Load(parse) is not { } loaded)
        {
            return 2;
        }

        await using var app = ServiceHost.Build(loaded.Root, loaded.Options);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DynamoWriter.Silo");
        ServiceLog.EffectiveConfiguration(logger, loaded.File ?? "(none: defaults and SC_ environment)",
            string.Join(Environment.NewLine + "  ", OptionsDescriber.Describe(loaded.Options)));
        foreach (var notice in ConfigurationNotices.Collect(loaded.Root))
        {
            ServiceLog.ConfigurationNotice(logger, notice);
        }

        try
        {
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ServiceLog.StartFailed(logger, ex);
            return 1;
        }
    }
}
