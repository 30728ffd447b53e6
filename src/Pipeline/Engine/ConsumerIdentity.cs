namespace DynamoWriter.Pipeline.Engine;

/// <summary>The consumer name this process uses in every group.</summary>
public static class ConsumerIdentity
{
    /// <summary>
    /// The configured name, or host name + process id: unique per process even when several replicas run
    /// on one machine, which matters because two processes sharing a consumer name would share a PEL.
    /// </summary>
    public static string Resolve(string configured) =>
        string.IsNullOrWhiteSpace(configured) ? $"{Environment.MachineName}-{Environment.ProcessId}" : configured;
}
