using DynamoWriter.Options;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration;

/// <summary>
/// What the service should say once at start about its configuration without failing: keys of the Go
/// service that the Orleans engine binds but ignores, and <c>SC_</c> environment variables that name no
/// setting (other services share the prefix). Errors are <see cref="ConfigError"/>s; these are warnings.
/// </summary>
public static class ConfigurationNotices
{
    /// <summary>
    /// Keys that still bind (so the Go service's files load) but no longer mean anything, with why. Their
    /// values are not range-checked either: an ignored value cannot be wrong, only malformed.
    /// </summary>
    internal static readonly IReadOnlyList<(string KeyPath, Func<IConfiguration, string> Reason)> IgnoredKeys =
    [
        ("sc.stream.block", root => $"StackExchange.Redis cannot block; the silo polls every sc.stream.pollInterval ({GoDuration.Format(PollInterval(root))})"),
        ("sc.stream.consumer", _ => "consumers are named after Orleans queues so a moved queue keeps its pending entries"),
        ("sc.dynamoDB.flushInterval", _ => "a batch is one read of one stream; nothing lingers"),
    ];

    /// <summary>
    /// One human-readable line per notice: first each ignored key the user set (in the YAML file or as an
    /// <c>SC_</c> variable), e.g. <c>sc.stream.block is set (2s) but ignored: StackExchange.Redis cannot
    /// block; the silo polls every sc.stream.pollInterval (50ms)</c>; then each unknown <c>SC_</c> variable,
    /// by name only (its value may be another service's secret). Empty when there is nothing to say.
    /// </summary>
    /// <param name="root">
    /// The configuration root, with the <c>sc</c> section below it. Unknown variables are found only when
    /// it is an <see cref="IConfigurationRoot"/> holding a <see cref="ScEnvironmentVariablesConfigurationProvider"/>.
    /// </param>
    public static IReadOnlyList<string> Collect(IConfiguration root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var notices = new List<string>();
        foreach (var (keyPath, reason) in IgnoredKeys)
        {
            // Empty means "not set", as in the binder (viper ignored empty variables and YAML nulls).
            var value = root[keyPath.Replace('.', ':')];
            if (!string.IsNullOrEmpty(value))
            {
                notices.Add($"{keyPath} is set ({value}) but ignored: {reason(root)}");
            }
        }

        if (root is IConfigurationRoot configurationRoot)
        {
            foreach (var provider in configurationRoot.Providers.OfType<ScEnvironmentVariablesConfigurationProvider>())
            {
                foreach (var variable in provider.UnknownVariables)
                {
                    var hint = variable.Suggestion is null ? "" : $" (did you mean {variable.Suggestion}?)";
                    notices.Add($"{variable.Name} is not a DynamoWriter setting{hint}; ignored, as other services share the {ScEnvironmentVariablesConfigurationSource.Prefix} prefix");
                }
            }
        }

        return notices;
    }

    /// <summary>The poll interval the silo will use: the configured one when it converts, else the default.</summary>
    private static TimeSpan PollInterval(IConfiguration root) =>
        root["sc:stream:pollInterval"] is { Length: > 0 } text && GoDuration.TryParse(text, out var value, out _) ? value : StreamOptions.DefaultPollInterval;
}
