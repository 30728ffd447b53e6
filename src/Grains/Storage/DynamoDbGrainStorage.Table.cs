using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace DynamoWriter.Grains.Storage;

/// <summary>The table: checked once (at silo start or first use), created when missing and allowed.</summary>
public sealed partial class DynamoDbGrainStorage
{
    private const string DescribeTableOperation = "describe-table";

    private static readonly TimeSpan ActivePollInterval = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _tableGate = new(1, 1);
    private volatile bool _tableReady;

    /// <summary>
    /// Makes sure the table exists and is ACTIVE, creating it (hash key <c>pk</c> S, on-demand) when
    /// <see cref="DynamoDbGrainStorageOptions.CreateTableIfMissing"/> is on. Once it succeeded it is not asked again;
    /// a failure is not remembered. Runs at silo start; every operation calls it too.
    /// </summary>
    public async Task EnsureTableAsync(CancellationToken ct)
    {
        if (_tableReady)
        {
            return;
        }

        await _tableGate.WaitAsync(ct);
        try
        {
            if (_tableReady)
            {
                return;
            }

            var table = await DescribeOrNullAsync(ct);
            if (table is null)
            {
                if (!_options.CreateTableIfMissing)
                {
                    throw new DynamoDbGrainStorageException(
                        $"Grain storage {_name}: DynamoDB table '{_options.TableName}' does not exist and {nameof(DynamoDbGrainStorageOptions.CreateTableIfMissing)} is off.");
                }

                table = await CreateAsync(ct);
            }

            await WaitUntilActiveAsync(table, ct);
            CheckKeySchema(table);
            _tableReady = true;
            DynamoDbStorageLog.TableReady(_logger, _name, _options.TableName);
        }
        finally
        {
            _tableGate.Release();
        }
    }

    /// <summary>Forgets that the table was there (it was deleted under us): the next operation checks again.</summary>
    private void TableLost() => _tableReady = false;

    private async Task<TableDescription?> DescribeOrNullAsync(CancellationToken ct)
    {
        try
        {
            var response = await CallAsync(DescribeTableOperation, _options.TableName,
                c => _client.DescribeTableAsync(new DescribeTableRequest { TableName = _options.TableName }, c), ct);
            return response.Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private async Task<TableDescription> CreateAsync(CancellationToken ct)
    {
        try
        {
            var response = await CallAsync("create-table", _options.TableName, c => _client.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = _options.TableName,
                    KeySchema = [new KeySchemaElement(KeyAttribute, KeyType.HASH)],
                    AttributeDefinitions = [new AttributeDefinition(KeyAttribute, ScalarAttributeType.S)],
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                },
                c), ct);
            DynamoDbStorageLog.TableCreated(_logger, _options.TableName);
            return response.TableDescription;
        }
        catch (ResourceInUseException)
        {
            // Another silo (or process) created it meanwhile: wait for theirs like for ours.
            DynamoDbStorageLog.TableCreatedElsewhere(_logger, _options.TableName);
            return await DescribeOrNullAsync(ct)
                ?? throw new DynamoDbGrainStorageException($"Grain storage {_name}: table '{_options.TableName}' is being created but cannot be described.");
        }
    }

    private async Task WaitUntilActiveAsync(TableDescription table, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + _options.TableActiveTimeout;
        while (table.TableStatus != TableStatus.ACTIVE)
        {
            if (table.TableStatus == TableStatus.DELETING || table.TableStatus == TableStatus.ARCHIVED)
            {
                throw new DynamoDbGrainStorageException($"Grain storage {_name}: table '{_options.TableName}' is {table.TableStatus}.");
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new DynamoDbGrainStorageException(
                    $"Grain storage {_name}: table '{_options.TableName}' did not become ACTIVE within {_options.TableActiveTimeout.TotalSeconds:0}s (status {table.TableStatus}).");
            }

            await Task.Delay(ActivePollInterval, _time, ct);
            table = await DescribeOrNullAsync(ct)
                ?? throw new DynamoDbGrainStorageException($"Grain storage {_name}: table '{_options.TableName}' disappeared while waiting for it to become ACTIVE.");
        }
    }

    private void CheckKeySchema(TableDescription table)
    {
        var hash = table.KeySchema?.SingleOrDefault(k => k.KeyType == KeyType.HASH);
        var type = table.AttributeDefinitions?.FirstOrDefault(a => a.AttributeName == hash?.AttributeName)?.AttributeType;
        var hasRange = table.KeySchema?.Any(k => k.KeyType == KeyType.RANGE) == true;
        if (hash?.AttributeName != KeyAttribute || type != ScalarAttributeType.S || hasRange)
        {
            throw new DynamoDbGrainStorageException(
                $"Grain storage {_name}: table '{_options.TableName}' must have the hash key '{KeyAttribute}' (S) and no range key.");
        }
    }
}
