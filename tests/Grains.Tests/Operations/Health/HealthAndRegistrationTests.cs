using Amazon.DynamoDBv2;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.DeadLetters;
using DynamoWriter.Grains.Operations.Health;
using DynamoWriter.Grains.Operations.Maintenance;
using DynamoWriter.Grains.Operations.Nodes;
using DynamoWriter.Grains.Operations.Stats;
using DynamoWriter.Options;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace DynamoWriter.Grains.Tests.Operations.Health;

[Trait("Category", "Integration")]
public sealed class HealthAndRegistrationTests
{
    private static ServiceProvider Build(DynamoWriterOptions options)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton<IAmazonDynamoDB>(_ => TestTables.Client());
        services.AddSingleton<DynamoWriterMetrics>();
        services.AddSingleton<WriterTotals>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new NodeIdentity(TestServers.Unique("silo"), DateTimeOffset.UtcNow));
        services.AddDynamoWriterOperations();
        services.AddDynamoWriterOperations(); // twice: harmless
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task Redis_dynamodb_and_tables_are_ready_when_the_servers_answer_and_the_tables_exist()
    {
        var stream = TestServers.Unique("ready");
        var options = OperationsKit.NewOptions(stream);
        options.DynamoDB.TableName = TestServers.Unique("target");
        using var dynamo = TestTables.Client();
        await OperationsKit.CreateCheckpointTableAsync(dynamo, options.Checkpoint.TableName);
        await using var provider = Build(options);

        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Single(hosted.OfType<NodeHeartbeatService>());
        Assert.Single(hosted.OfType<MaintenanceService>());
        Assert.Single(hosted.OfType<StreamStatsCollector>());
        Assert.Same(provider.GetRequiredService<DynamoWriterRedis>(), provider.GetRequiredService<DynamoWriterRedis>());
        Assert.NotNull(provider.GetRequiredService<IStreamPublisher>());
        Assert.NotNull(provider.GetRequiredService<DeadLetterReplayer>());

        var health = provider.GetRequiredService<HealthCheckService>();
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthCheckTags.Ready));
        Assert.Equal(["dynamodb", "redis", "tables"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(HealthStatus.Healthy, report.Entries["redis"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["dynamodb"].Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["tables"].Status); // the target table is missing
        Assert.Contains($"table {options.DynamoDB.TableName} does not exist", report.Entries["tables"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_redis_is_not_ready_within_the_check_timeout()
    {
        var options = OperationsKit.NewOptions(TestServers.Unique("down"));
        options.Stream.Redis.Address = $"127.0.0.1:{Net.FreePort()}";
        await using var provider = Build(options);
        var health = provider.GetRequiredService<HealthCheckService>();

        var started = DateTime.UtcNow;
        var report = await health.CheckHealthAsync(c => c.Name == "redis");

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["redis"].Status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the check must give up on its own");
    }
}
