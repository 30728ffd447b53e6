using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Grains.Operations.Health;

/// <summary>Readiness: Redis answers PING.</summary>
internal sealed class RedisHealthCheck(DynamoWriterRedis redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var db = await redis.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
            await db.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{redis.Address} answers PING");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{redis.Address}: {ex.Message}");
        }
    }
}

/// <summary>Readiness: DynamoDB answers (ListTables, limit 1).</summary>
internal sealed class DynamoDbHealthCheck(IAmazonDynamoDB dynamo, IOptions<DynamoWriterOptions> options) : IHealthCheck
{
    private readonly TableCatalog _catalog = new(dynamo, options.Value.DynamoDB);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await _catalog.IsReachableAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy("DynamoDB answers")
            : HealthCheckResult.Unhealthy("DynamoDB does not answer");
}

/// <summary>Readiness: every target table and the checkpoint table exists and is ACTIVE (DescribeTable).</summary>
internal sealed class TablesHealthCheck(IAmazonDynamoDB dynamo, IOptions<DynamoWriterOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var tables = o.Stream.Streams.Select(o.DynamoDB.TableFor).Append(o.Checkpoint.TableName)
            .Where(t => !string.IsNullOrEmpty(t)).Distinct(StringComparer.Ordinal).ToList();
        var problems = await Task.WhenAll(tables.Select(t => DescribeAsync(t, cancellationToken))).ConfigureAwait(false);
        var failed = problems.Where(p => p is not null).ToList();
        return failed.Count == 0
            ? HealthCheckResult.Healthy($"tables active: {string.Join(", ", tables)}")
            : HealthCheckResult.Unhealthy(string.Join("; ", failed));
    }

    private async Task<string?> DescribeAsync(string table, CancellationToken ct)
    {
        try
        {
            var response = await dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = table }, ct).ConfigureAwait(false);
            return response.Table.TableStatus == TableStatus.ACTIVE || response.Table.TableStatus == TableStatus.UPDATING
                ? null
                : $"table {table} is {response.Table.TableStatus}";
        }
        catch (ResourceNotFoundException)
        {
            return $"table {table} does not exist";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"table {table}: {ex.Message}";
        }
    }
}
