using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration;

/// <summary>A YAML file as a configuration source (NetEscapades.Configuration.Yaml does not restore here).</summary>
public sealed class YamlConfigurationSource : IConfigurationSource
{
    /// <summary>The file; a relative path is resolved against the working directory when loaded.</summary>
    public required string Path { get; init; }

    /// <summary>When true a missing file adds nothing; when false it is an error.</summary>
    public bool Optional { get; init; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new YamlConfigurationProvider(this);
}

/// <summary>Loads a <see cref="YamlConfigurationSource"/> once; the service does not reload its configuration.</summary>
public sealed class YamlConfigurationProvider : ConfigurationProvider
{
    public YamlConfigurationProvider(YamlConfigurationSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
    }

    public YamlConfigurationSource Source { get; }

    /// <summary>The absolute path of the file, for the "configuration loaded from" log line.</summary>
    public string FullPath => System.IO.Path.GetFullPath(Source.Path);

    public override void Load()
    {
        if (!File.Exists(FullPath))
        {
            if (Source.Optional)
            {
                Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                return;
            }

            throw new ConfigurationException([new ConfigError(Source.Path, $"configuration file '{FullPath}' does not exist")]);
        }

        using var reader = File.OpenText(FullPath);
        Data = YamlConfigurationParser.Parse(reader, Source.Path);
    }

    public override string ToString() => $"{GetType().Name} for '{Source.Path}' ({(Source.Optional ? "Optional" : "Required")})";
}
