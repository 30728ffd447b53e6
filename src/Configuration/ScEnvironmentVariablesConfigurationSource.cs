using System.Collections;
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

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
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
            data[ConfigurationPath.Combine(levels)] = value;
        }

        Data = data;
    }
}
