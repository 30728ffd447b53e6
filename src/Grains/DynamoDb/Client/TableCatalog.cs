using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using DynamoWriter.Options;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>
/// Key schemas of the tables DynamoWriter writes to: DescribeTable once per table, then cached.
/// Creates missing tables when <see cref="DynamoDbOptions.CreateTable"/> is on (local use).
/// </summary>
public sealed class TableCatalog
{
    /// <summary>Hash key of the tables DynamoWriter creates.</summary>
    public const string CreatedHashKeyName = "pk";

    internal static readonly TimeSpan ActivePollInterval = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan ActiveTimeout = TimeSpan.FromMinutes(2);

    private readonly IAmazonDynamoDB _client;
    private readonly DynamoDbOptions _options;
    private readonly ConcurrentDictionary<string, TableKeySchema> _schemas = new(StringComparer.Ordinal);

    public TableCatalog(IAmazonDynamoDB client, DynamoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
    }

    /// <summary>
    /// The key schema of <paramref name="tableName"/>, described once and cached. A missing table is created
    /// when <c>createTable</c> is on, otherwise <see cref="TableMissingException"/>. Failures are not cached.
    /// </summary>
    public async Task<TableKeySchema> GetSchemaAsync(string tableName, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        if (_schemas.TryGetValue(tableName, out var cached))
        {
            return cached;
        }

        await EnsureTablesAsync([tableName], ct);
        return _schemas[tableName];
    }

    /// <summary>
    /// Describes every table; creates the missing ones (hash key <c>pk</c> S, on-demand) and waits until they
    /// are ACTIVE when <c>createTable</c> is on, otherwise throws one <see cref="TableMissingException"/>
    /// naming all of them.
    /// </summary>
    public async Task EnsureTablesAsync(IEnumerable<string> tableNames, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tableNames);
        var names = tableNames.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal)
            .Where(n => !_schemas.ContainsKey(n)).ToList();
        if (names.Count == 0)
        {
            return;
        }

        var described = await Task.WhenAll(names.Select(n => DescribeOrNullAsync(n, ct)));
        var missing = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            if (described[i] is { } table)
            {
                await CacheWhenActiveAsync(table, ct);
            }
            else
            {
                missing.Add(names[i]);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        if (!_options.CreateTable)
        {
            throw new TableMissingException(missing);
        }

        await Task.WhenAll(missing.Select(n => CreateAsync(n, ct)));
    }

    /// <summary>True when DynamoDB answers a ListTables (limit 1); for readiness checks.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken ct)
    {
        try
        {
            await _client.ListTablesAsync(new ListTablesRequest { Limit = 1 }, ct);
            return true;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<TableDescription?> DescribeOrNullAsync(string tableName, CancellationToken ct)
    {
        try
        {
            var response = await _client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, ct);
            return response.Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private async Task CreateAsync(string tableName, CancellationToken ct)
    {
        try
        {
            await _client.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = tableName,
                    KeySchema = [new KeySchemaElement(CreatedHashKeyName, KeyType.HASH)],
                    AttributeDefinitions = [new AttributeDefinition(CreatedHashKeyName, ScalarAttributeType.S)],
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                },
                ct);
        }
        catch (ResourceInUseException)
        {
            // Created meanwhile by another instance: wait for it like for our own.
        }

        var table = await DescribeOrNullAsync(tableName, ct)
            ?? throw new InvalidOperationException($"DynamoDB table '{tableName}' was created but cannot be described.");
        await CacheWhenActiveAsync(table, ct);
    }

    private async Task CacheWhenActiveAsync(TableDescription table, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ActiveTimeout;
        while (table.TableStatus == TableStatus.CREATING)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"DynamoDB table '{table.TableName}' did not become ACTIVE within {ActiveTimeout.TotalSeconds:0}s.");
            }

            await Task.Delay(ActivePollInterval, ct);
            table = await DescribeOrNullAsync(table.TableName, ct)
                ?? throw new InvalidOperationException($"DynamoDB table '{table.TableName}' disappeared while being created.");
        }

        _schemas[table.TableName] = ToSchema(table);
    }

    internal static TableKeySchema ToSchema(TableDescription table)
    {
        KeyAttribute? hash = null;
        KeyAttribute? range = null;
        foreach (var element in table.KeySchema ?? [])
        {
            var type = table.AttributeDefinitions?.FirstOrDefault(a => string.Equals(a.AttributeName, element.AttributeName, StringComparison.Ordinal))?.AttributeType
                ?? throw new InvalidOperationException($"DynamoDB table '{table.TableName}' has no attribute definition for key '{element.AttributeName}'.");
            var key = new KeyAttribute(element.AttributeName, type);
            if (element.KeyType == KeyType.HASH)
            {
                hash = key;
            }
            else if (element.KeyType == KeyType.RANGE)
            {
                range = key;
            }
        }

        return new TableKeySchema(
            table.TableName,
            hash ?? throw new InvalidOperationException($"DynamoDB table '{table.TableName}' has no hash key."),
            range);
    }
}
