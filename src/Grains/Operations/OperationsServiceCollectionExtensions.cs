using Amazon.DynamoDBv2;
using DynamoWriter.Grains.Operations.DeadLetters;
using DynamoWriter.Grains.Operations.Health;
using DynamoWriter.Grains.Operations.Maintenance;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Grains.Operations.Publishing;
using DynamoWriter.Grains.Operations.Stats;
using DynamoWriter.Grains.Operations.Status;
using DynamoWriter.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Grains.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// Everything that talks to Redis outside the stream provider, on one shared <see cref="DynamoWriterRedis"/>:
    /// the heartbeat, maintenance and stream-statistics hosted services, the <c>redis</c>, <c>dynamodb</c> and
    /// <c>tables</c> readiness checks (tag <see cref="HealthCheckTags.Ready"/>), the dead-letter replayer, the status reader and
    /// <see cref="IStreamPublisher"/>. Calling it twice registers nothing twice.
    /// </summary>
    /// <remarks>
    /// Expects the hosting to register <see cref="IOptions{DynamoWriterOptions}"/>, <c>IAmazonDynamoDB</c>,
    /// <c>DynamoWriterMetrics</c>, <c>WriterTotals</c>, <see cref="TimeProvider"/> and <see cref="NodeIdentity"/>.
    /// </remarks>
    public static IServiceCollection AddDynamoWriterOperations(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(OperationsMarker)))
        {
            return services;
        }

        services.AddSingleton<OperationsMarker>();
        services.TryAddSingleton<DynamoWriterRedis>();
        services.TryAddSingleton<StreamStatsCollector>();
        services.TryAddSingleton<NodeHeartbeatService>();
        services.TryAddSingleton<MaintenanceService>();
        services.TryAddSingleton(sp => new DeadLetterReplayer(sp.GetRequiredService<DynamoWriterRedis>()));
        services.TryAddSingleton(sp => new StatusReader(
            sp.GetRequiredService<DynamoWriterRedis>(),
            sp.GetRequiredService<IAmazonDynamoDB>(),
            sp.GetRequiredService<IOptions<DynamoWriterOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IStreamPublisher>(sp => new RedisStreamPublisher(
            sp.GetRequiredService<DynamoWriterRedis>(),
            sp.GetRequiredService<IOptions<DynamoWriterOptions>>().Value.Mapping.PayloadField));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<StreamStatsCollector>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<NodeHeartbeatService>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<MaintenanceService>());

        var timeout = HealthCheckTags.CheckTimeout;
        services.AddHealthChecks()
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthCheckTags.Ready], timeout: timeout)
            .AddCheck<DynamoDbHealthCheck>("dynamodb", tags: [HealthCheckTags.Ready], timeout: timeout)
            .AddCheck<TablesHealthCheck>("tables", tags: [HealthCheckTags.Ready], timeout: timeout);
        return services;
    }

    /// <summary>Says <see cref="AddDynamoWriterOperations"/> already ran.</summary>
    private sealed class OperationsMarker;
}
