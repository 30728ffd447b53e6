using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace DynamoWriter.Grains.Storage;

/// <summary>
/// Orleans grain storage in one DynamoDB table. An item is <c>pk</c> (S, <see cref="DynamoDbGrainStorageOptions.KeyFor"/>),
/// <c>etag</c> (S, new random value per write), <c>state</c> (S, System.Text.Json with <see cref="JsonOptions"/>)
/// and <c>updatedAt</c> (S, ISO 8601). Every write is conditional on the ETag the activation read: a stale one
/// throws <see cref="InconsistentStateException"/> and never overwrites what another activation wrote.
/// </summary>
public sealed partial class DynamoDbGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public const string KeyAttribute = "pk";
    public const string ETagAttribute = "etag";
    public const string StateAttribute = "state";
    public const string UpdatedAtAttribute = "updatedAt";

    private const string ConditionNew = "attribute_not_exists(#pk)";
    private const string ConditionETag = "#etag = :expected";

    /// <summary>How states are serialized (camelCase, <see cref="JsonSerializerDefaults.Web"/>); readers of the table use the same.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    private readonly string _name;
    private readonly DynamoDbGrainStorageOptions _options;
    private readonly IAmazonDynamoDB _client;
    private readonly IActivatorProvider? _activators;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public DynamoDbGrainStorage(
        string name,
        DynamoDbGrainStorageOptions options,
        IAmazonDynamoDB client,
        ILogger<DynamoDbGrainStorage> logger,
        IActivatorProvider? activators = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        _name = name;
        _options = options;
        _client = client;
        _logger = logger;
        _activators = activators;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The name this storage is registered under.</summary>
    public string Name => _name;

    /// <summary>The table this storage writes.</summary>
    public string TableName => _options.TableName;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(OptionFormattingUtilities.Name<DynamoDbGrainStorage>(_name), _options.InitStage, EnsureTableAsync);
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = _options.KeyFor(stateName, grainId);
        await EnsureTableAsync(cancellationToken);
        var item = await GetItemAsync(key, "read", cancellationToken);
        if (item is null)
        {
            grainState.State = CreateDefault<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = Deserialize<T>(item, key) ?? CreateDefault<T>();
        grainState.ETag = item.TryGetValue(ETagAttribute, out var etag) ? etag.S : null;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = _options.KeyFor(stateName, grainId);
        await EnsureTableAsync(cancellationToken);
        var newETag = await PutConditionalAsync(key, grainState.State, grainState.ETag, "write", cancellationToken);
        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = _options.KeyFor(stateName, grainId);
        await EnsureTableAsync(cancellationToken);
        var state = CreateDefault<T>();
        if (_options.DeleteStateOnClear)
        {
            await DeleteConditionalAsync(key, grainState.ETag, cancellationToken);
            grainState.ETag = null;
        }
        else
        {
            // The default state is written as a new version: the activation keeps its ETag to write on.
            grainState.ETag = await PutConditionalAsync(key, state, grainState.ETag, "clear", cancellationToken);
        }

        grainState.State = state;
        grainState.RecordExists = false;
    }

    /// <summary>
    /// Reads one state item without a silo (consistent read), deserialized with <see cref="JsonOptions"/>.
    /// A missing table or item gives <c>(default, null)</c>.
    /// </summary>
    public static async Task<(T? State, string? ETag)> ReadItemAsync<T>(IAmazonDynamoDB client, string table, string pk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentException.ThrowIfNullOrEmpty(pk);
        Dictionary<string, AttributeValue>? item;
        try
        {
            var response = await RetryAsync(
                c => client.GetItemAsync(GetRequest(table, pk), c),
                DynamoDbGrainStorageOptions.DefaultMaxAttempts,
                DynamoDbGrainStorageOptions.DefaultRetryBaseDelay,
                DynamoDbGrainStorageOptions.DefaultRetryMaxDelay,
                TimeProvider.System,
                onRetry: null,
                ct);
            item = response.Item;
        }
        catch (ResourceNotFoundException)
        {
            return (default, null);
        }

        if (item is not { Count: > 0 })
        {
            return (default, null);
        }

        var state = item.TryGetValue(StateAttribute, out var json) && json.S is { } text
            ? JsonSerializer.Deserialize<T>(text, JsonOptions)
            : default;
        return (state, item.TryGetValue(ETagAttribute, out var etag) ? etag.S : null);
    }

    private static GetItemRequest GetRequest(string table, string key) => new()
    {
        TableName = table,
        Key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [KeyAttribute] = new AttributeValue { S = key } },
        ConsistentRead = true,
    };

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string key, string operation, CancellationToken ct)
    {
        var response = await CallAsync(operation, key, c => _client.GetItemAsync(GetRequest(_options.TableName, key), c), ct);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Writes <paramref name="state"/> if the stored ETag is <paramref name="expected"/> (null: no item); returns the new ETag.</summary>
    private async Task<string> PutConditionalAsync<T>(string key, T state, string? expected, string operation, CancellationToken ct)
    {
        var newETag = NewETag();
        var request = new PutItemRequest { TableName = _options.TableName, Item = StateItem(key, state, newETag) };
        (request.ConditionExpression, request.ExpressionAttributeNames, request.ExpressionAttributeValues) = ConditionFor(expected);

        var attempts = 0;
        try
        {
            await CallAsync(operation, key, c => { attempts++; return _client.PutItemAsync(request, c); }, ct);
            return newETag;
        }
        catch (ConditionalCheckFailedException ex)
        {
            var stored = await StoredETagAsync(key, operation, ct);
            if (attempts > 1 && string.Equals(stored, newETag, StringComparison.Ordinal))
            {
                // An earlier attempt timed out after DynamoDB had applied it: the conflict is with ourselves.
                DynamoDbStorageLog.EarlierAttemptApplied(_logger, _name, operation, key);
                return newETag;
            }

            throw Conflict(operation, key, expected, stored, ex);
        }
    }

    private Dictionary<string, AttributeValue> StateItem<T>(string key, T state, string etag) => new(StringComparer.Ordinal)
    {
        [KeyAttribute] = new AttributeValue { S = key },
        [ETagAttribute] = new AttributeValue { S = etag },
        [StateAttribute] = new AttributeValue { S = Serialize(state, key) },
        [UpdatedAtAttribute] = new AttributeValue { S = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) },
    };

    private async Task DeleteConditionalAsync(string key, string? expected, CancellationToken ct)
    {
        var request = new DeleteItemRequest
        {
            TableName = _options.TableName,
            Key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [KeyAttribute] = new AttributeValue { S = key } },
        };
        (request.ConditionExpression, request.ExpressionAttributeNames, request.ExpressionAttributeValues) = ConditionFor(expected);

        var attempts = 0;
        try
        {
            await CallAsync("clear", key, c => { attempts++; return _client.DeleteItemAsync(request, c); }, ct);
        }
        catch (ConditionalCheckFailedException ex)
        {
            var stored = await StoredETagAsync(key, "clear", ct);
            if (attempts > 1 && stored is null)
            {
                DynamoDbStorageLog.EarlierAttemptApplied(_logger, _name, "clear", key);
                return;
            }

            throw Conflict("clear", key, expected, stored, ex);
        }
    }

    /// <summary>
    /// No ETag: the item must not exist. An ETag: the stored one must equal it. Clearing with no ETag
    /// (nothing was ever read) also requires that nothing is stored, so it never deletes another's write.
    /// </summary>
    private static (string Condition, Dictionary<string, string> Names, Dictionary<string, AttributeValue>? Values) ConditionFor(string? expected) =>
        expected is null
            ? (ConditionNew, new Dictionary<string, string>(StringComparer.Ordinal) { ["#pk"] = KeyAttribute }, null)
            : (ConditionETag,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["#etag"] = ETagAttribute },
                new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [":expected"] = new AttributeValue { S = expected } });

    private async Task<string?> StoredETagAsync(string key, string operation, CancellationToken ct)
    {
        try
        {
            var item = await GetItemAsync(key, operation, ct);
            return item is not null && item.TryGetValue(ETagAttribute, out var etag) ? etag.S : null;
        }
        catch (DynamoDbGrainStorageException)
        {
            return null;
        }
    }

    private InconsistentStateException Conflict(string operation, string key, string? expected, string? stored, Exception inner)
    {
        DynamoDbStorageLog.ETagConflict(_logger, _name, operation, key, expected, stored);
        return new InconsistentStateException(
            $"Version conflict ({operation}): storage {_name}, table {_options.TableName}, key {key}: expected ETag {expected ?? "(none: new item)"}, stored {stored ?? "(none)"}. Another activation moved on.",
            stored,
            expected,
            inner);
    }

    private string Serialize<T>(T state, string key)
    {
        try
        {
            return JsonSerializer.Serialize(state, JsonOptions);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new DynamoDbGrainStorageException($"Grain storage {_name}: the state of {key} ({typeof(T)}) cannot be serialized to JSON: {ex.Message}", ex);
        }
    }

    private T? Deserialize<T>(Dictionary<string, AttributeValue> item, string key)
    {
        if (!item.TryGetValue(StateAttribute, out var value) || value.S is not { } json)
        {
            return default;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, JsonOptions);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new DynamoDbGrainStorageException($"Grain storage {_name}: the stored state of {key} is not a valid {typeof(T)}: {ex.Message}", ex);
        }
    }

    private T CreateDefault<T>()
    {
        if (_activators is not null)
        {
            return _activators.GetActivator<T>().Create();
        }

        return typeof(T).IsValueType || typeof(T).GetConstructor(Type.EmptyTypes) is null ? default! : Activator.CreateInstance<T>();
    }
}
