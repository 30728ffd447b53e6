using System.Collections;
using DynamoWriter.Configuration;

namespace Microsoft.Extensions.Configuration;

public static class DynamoWriterConfigurationBuilderExtensions
{
    /// <summary>Adds a YAML file; see <see cref="YamlConfigurationParser"/> for how it maps to keys.</summary>
    public static IConfigurationBuilder AddYamlFile(this IConfigurationBuilder builder, string path, bool optional)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.Add(new YamlConfigurationSource { Path = path, Optional = optional });
    }

    /// <summary>
    /// Adds the Go service's <c>SC_</c> environment variables; see <see cref="ScEnvironmentVariablesConfigurationSource"/>.
    /// </summary>
    /// <param name="env">The variables to read (for tests); null reads the process environment.</param>
    public static IConfigurationBuilder AddScEnvironmentVariables(this IConfigurationBuilder builder, IDictionary? env = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new ScEnvironmentVariablesConfigurationSource { Variables = env });
    }
}
