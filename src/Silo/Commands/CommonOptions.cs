using System.CommandLine;
using DynamoWriter.Configuration;
using DynamoWriter.Options;

namespace DynamoWriter.Silo.Commands;

/// <summary>Options and start-up steps shared by every command.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Config = new("--config", "-c")
    {
        Description = "YAML configuration file (default: config/base.yaml when present). SC_* environment variables override it.",
        Recursive = true,
    };

    /// <summary>
    /// Loads YAML + SC_ environment and validates it; on errors prints every one of them, with key paths,
    /// and returns null so the caller exits non-zero.
    /// </summary>
    public static LoadedConfiguration? Load(ParseResult parse)
    {
        IConfigurationRoot root;
        string? file;
        try
        {
            root = ConfigurationLoader.Build(parse.GetValue(Config), AppContext.BaseDirectory, out file);
        }
        catch (ConfigurationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return null;
        }

        var options = ConfigurationLoader.LoadAndValidate(root, out var errors);
        if (errors.Count > 0)
        {
            Console.Error.WriteLine(ConfigurationException.Format(errors));
            return null;
        }

        return new LoadedConfiguration(root, options, file);
    }
}

/// <summary>The validated configuration and the YAML file it came from (null: defaults and environment only).</summary>
internal sealed record LoadedConfiguration(IConfigurationRoot Root, DynamoWriterOptions Options, string? File);
