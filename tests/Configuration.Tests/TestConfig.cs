using System.Collections;
using DynamoWriter.Options;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration.Tests;

/// <summary>Builds configurations from YAML text and variable tables, without touching the process environment.</summary>
internal static class TestConfig
{
    public static IConfigurationRoot FromYaml(string yaml, IDictionary? env = null)
    {
        var data = YamlConfigurationParser.Parse(new StringReader(yaml), "test.yaml");
        return new ConfigurationBuilder()
            .AddInMemoryCollection(data)
            .AddScEnvironmentVariables(env ?? new Hashtable())
            .Build();
    }

    public static IConfigurationRoot FromEnv(IDictionary env) =>
        new ConfigurationBuilder().AddScEnvironmentVariables(env).Build();

    public static (DynamoWriterOptions Options, IReadOnlyList<ConfigError> Errors) Bind(IConfiguration root)
    {
        var options = new DynamoWriterOptions();
        var errors = OptionsBinder.Bind(root.GetSection("sc"), options);
        return (options, errors);
    }

    public static (DynamoWriterOptions Options, IReadOnlyList<ConfigError> Errors) BindYaml(string yaml) => Bind(FromYaml(yaml));

    /// <summary>A directory that is removed when disposed.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dw-config-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string Write(string relativePath, string content)
        {
            var full = System.IO.Path.Combine(Path, relativePath);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            return full;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory must not fail a test.
            }
        }
    }
}
