using System.Collections;
using DynamoWriter.Options;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration;

/// <summary>Finds the configuration file and layers the sources the way the Go service did.</summary>
public static class ConfigurationLoader
{
    /// <summary>Looked for relative to the working directory, then to the application's directory.</summary>
    public const string DefaultConfigFile = "config/base.yaml";

    /// <inheritdoc cref="Build(string?, string, out string?, IDictionary?, string?)"/>
    public static IConfigurationRoot Build(string? explicitPath, string baseDirectory, IDictionary? env = null) =>
        Build(explicitPath, baseDirectory, out _, env);

    /// <summary>
    /// YAML first, then <c>SC_</c> environment variables, which override it. The file is
    /// <paramref name="explicitPath"/> (<c>--config</c>) when given, which must exist; else
    /// <see cref="DefaultConfigFile"/> under the working directory, else under
    /// <paramref name="baseDirectory"/>; else no file: defaults and environment only.
    /// </summary>
    /// <param name="configFile">The absolute path of the file used, or null, for the start-up log.</param>
    /// <param name="workingDirectory">Defaults to the process's current directory (a parameter for tests).</param>
    /// <exception cref="ConfigurationException">The explicit file is missing or a file is not valid YAML.</exception>
    public static IConfigurationRoot Build(
        string? explicitPath,
        string baseDirectory,
        out string? configFile,
        IDictionary? env = null,
        string? workingDirectory = null)
    {
        configFile = ResolveConfigFile(explicitPath, baseDirectory, workingDirectory ?? Directory.GetCurrentDirectory());
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddYamlFile(configFile, optional: false);
        }

        return builder.AddScEnvironmentVariables(env).Build();
    }

    /// <summary>The file <see cref="Build(string?, string, out string?, IDictionary?, string?)"/> would use, or null.</summary>
    public static string? ResolveConfigFile(string? explicitPath, string baseDirectory, string workingDirectory)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            var full = Path.GetFullPath(explicitPath, workingDirectory);

            // An explicit file that is missing is a mistake (a typo in a deployment manifest), not a
            // reason to start quietly with the defaults.
            return File.Exists(full)
                ? full
                : throw new ConfigurationException([new ConfigError("--config", $"configuration file '{full}' does not exist")]);
        }

        foreach (var directory in new[] { workingDirectory, baseDirectory })
        {
            var candidate = Path.GetFullPath(DefaultConfigFile, directory);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Binds and validates the <c>sc</c> section of <paramref name="root"/> without a host, for
    /// command-line tools. <paramref name="errors"/> holds binding and semantic errors together; the
    /// options are returned either way (with defaults where values did not convert).
    /// </summary>
    public static DynamoWriterOptions LoadAndValidate(IConfiguration root, out IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(root);
        var options = new DynamoWriterOptions();
        var all = new List<ConfigError>(OptionsBinder.Bind(root.GetSection(DynamoWriterOptions.SectionName), options, DynamoWriterOptions.SectionName));
        all.AddRange(DynamoWriterOptionsValidator.Collect(options));
        errors = all;
        return options;
    }
}
