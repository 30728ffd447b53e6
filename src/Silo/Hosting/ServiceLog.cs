namespace DynamoWriter.Silo.Hosting;

/// <summary>The service host's own log lines; stable event ids.</summary>
internal static partial class ServiceLog
{
    [LoggerMessage(100, LogLevel.Information, "Effective configuration from {ConfigFile} (secrets masked):\n  {Configuration}")]
    public static partial void EffectiveConfiguration(ILogger logger, string configFile, string configuration);

    [LoggerMessage(101, LogLevel.Critical, "DynamoWriter failed")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    /// <summary>One per <see cref="DynamoWriter.Configuration.ConfigurationNotices"/> line, once at start: set but ignored, or unknown.</summary>
    [LoggerMessage(102, LogLevel.Warning, "Configuration notice: {Notice}")]
    public static partial void ConfigurationNotice(ILogger logger, string notice);
}
