namespace DynamoWriter.Configuration;

/// <summary>
/// The configuration cannot be used. <see cref="Exception.Message"/> lists every error, one per line,
/// so the service can print it as is and exit non-zero.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(IEnumerable<ConfigError> errors)
        : this(errors.ToArray())
    {
    }

    private ConfigurationException(ConfigError[] errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>
    /// The one start-up message for all errors:
    /// <code>
    /// DynamoWriter configuration is invalid (2 errors):
    ///   sc.dynamoDB.batchSize: 30 is above the DynamoDB limit of 25
    ///   sc.log.level: 'loud' is not one of debug, info, warn, error
    /// </code>
    /// </summary>
    public static string Format(IEnumerable<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var list = errors as IReadOnlyCollection<ConfigError> ?? errors.ToArray();
        var sb = new System.Text.StringBuilder();
        sb.Append("DynamoWriter configuration is invalid (")
          .Append(list.Count)
          .Append(list.Count == 1 ? " error):" : " errors):");
        foreach (var error in list)
        {
            // '\n', not Environment.NewLine: the text goes to logs and tests compare it byte for byte.
            sb.Append('\n').Append("  ").Append(error.KeyPath).Append(": ").Append(error.Message);
        }

        return sb.ToString();
    }
}
