namespace DynamoWriter.Grains.Operations.Health;

/// <summary>Tags of DynamoWriter's health checks: <c>/healthz</c> runs the live ones, <c>/readyz</c> the ready ones.</summary>
public static class HealthCheckTags
{
    public const string Live = "dynamowriter-live";
    public const string Ready = "dynamowriter-ready";

    /// <summary>Each readiness check gives up after this long, so /readyz answers quickly when a backend is down.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);
}
