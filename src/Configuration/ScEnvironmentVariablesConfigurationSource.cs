using System.Collections;
using DynamoWriter.Options;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration;

/// <summary>
/// <c>SC_</c> environment variables as the Go service read them (viper with prefix <c>SC</c> and
/// <c>.</c> → <c>_</c>): <c>SC_STREAM_REDIS_ADDRESS</c> sets <c>sc:stream:redis:address</c>,
/// <c>SC_DYNAMODB_TABLENAME</c> sets <c>sc:dynamodb:tablename</c>, which matches
/// <c>sc.dynamoDB.tableName</c> because configuration keys are case-insensitive.
/// </summary>
/// <remarks>
/// Lists are one comma-separated value (<c>SC_STREAM_STREAMS=orders,payments</c>); the binder splits them.
/// The per-stream table map works too (<c>SC_DYNAMODB_TABLES_ORDERS=orders-table</c>), with two accepted
/// limitations: the stream name arrives lower-cased (<c>orders</c>, matching only a stream named
/// <c>orders</c>), and since <c>_</c> separates levels, <c>SC_DYNAMODB_TABLES_ORDERS_EU</c> names the
/// stream <c>orders:eu</c>; a stream whose name holds <c>_</c> or capitals needs the YAML file.
/// <para>
/// Other services share the environment and the prefix (the Kafka consumer feeding our streams reads
/// <c>SC_KAFKA_*</c>), so a variable that names no DynamoWriter setting is left out of the configuration
/// and listed in <see cref="ScEnvironmentVariablesConfigurationProvider.UnknownVariables"/>, which
/// <see cref="ConfigurationNotices"/> reports as a warning; an unknown key in the YAML file stays an error.
/// </para>
/// </remarks>
public sealed class ScEnvironmentVariablesConfigurationSource : IConfigurationSource
{
    public const string Prefix = "SC_";

    /// <summary>The variables to read; null means the process environment at load time.</summary>
    public IDictionary? Variables { get; init; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ScEnvironmentVariablesConfigurationProvider(this);
}

public sealed class ScEnvironmentVariablesConfigurationProvider : ConfigurationProvider
{
    private readonly ScEnvironmentVariablesConfigurationSource _source;

    public ScEnvironmentVariablesConfigurationProvider(ScEnvironmentVariablesConfigurationSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <summary>
    /// The <c>SC_</c> variables from the last <see cref="Load"/> that name no DynamoWriter setting, in
    /// ordinal order, each with a "did you mean" hint when one is close. Their values are not kept: they
    /// belong to somebody else and may be secrets.
    /// </summary>
    public IReadOnlyList<UnknownScVariable> UnknownVariables { get; private set; } = [];

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<UnknownScVariable>();
        foreach (DictionaryEntry entry in _source.Variables ?? Environment.GetEnvironmentVariables())
        {
            // The prefix is matched exactly, as viper did on Linux: "sc_..." is somebody else's variable.
            if (entry.Key is not string name || !name.StartsWith(ScEnvironmentVariablesConfigurationSource.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            // viper ignored empty variables (AllowEmptyEnv was off), so "SC_STREAM_GROUP=" kept the file's
            // value there; it must do the same here.
            if (entry.Value is not string value || value.Length == 0)
            {
                continue;
            }

            var levels = name.ToLowerInvariant().Split('_', StringSplitOptions.RemoveEmptyEntries);
            if (!IsKnown(levels, out var suggestion))
            {
                unknown.Add(new UnknownScVariable(name, suggestion));
                continue;
            }

            data[ConfigurationPath.Combine(levels)] = value;
        }

        unknown.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        UnknownVariables = unknown;
        Data = data;
    }

    /// <summary>
    /// <paramref name="levels"/> start with <c>sc</c> (the prefix); the rest must name a setting of
    /// <see cref="DynamoWriterOptions"/>. <paramref name="suggestion"/> is the variable with the first
    /// unknown level replaced by the closest key, when one is close enough to be a typo.
    /// </summary>
    private static bool IsKnown(string[] levels, out string? suggestion)
    {
        suggestion = null;
        if (levels.Length < 2)
        {
            return false;
        }

        if (OptionsSchema.IsKnownPath(typeof(DynamoWriterOptions), levels[1..], out var at, out var candidates))
        {
            return true;
        }

        if (OptionsSchema.ClosestKey(levels[at + 1], candidates) is { } closest)
        {
            var fixedLevels = levels.ToArray();
            fixedLevels[at + 1] = closest;
            suggestion = string.Join('_', fixedLevels).ToUpperInvariant();
        }

        return false;
    }
}

/// <summary>An <c>SC_</c> environment variable that names no DynamoWriter setting.</summary>
/// <param name="Name">The variable, as set.</param>
/// <param name="Suggestion">The known variable it is probably a typo of (<c>SC_STREAM_READCOUNT</c>), or null.</param>
public sealed record UnknownScVariable(string Name, string? Suggestion);
