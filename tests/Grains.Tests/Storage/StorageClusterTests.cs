using DynamoWriter.Grains.Hosting;
using DynamoWriter.Grains.Storage;
using DynamoWriter.Tests;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace DynamoWriter.Grains.Tests.Storage;

public interface ICounterGrain : IGrainWithStringKey
{
    Task SetAsync(int count, string note);

    Task<Counter> GetAsync();

    Task<bool> RecordExistsAsync();
}

/// <summary>A grain whose state lives in the DynamoDB storage "dynamo" under the state name "s".</summary>
public sealed class CounterGrain([PersistentState("s", StorageClusterTests.StorageName)] IPersistentState<Counter> state) : Grain, ICounterGrain
{
    public async Task SetAsync(int count, string note)
    {
        state.State.Count = count;
        state.State.Note = note;
        await state.WriteStateAsync();
    }

    public Task<Counter> GetAsync() => Task.FromResult(state.State);

    public Task<bool> RecordExistsAsync() => Task.FromResult(state.RecordExists);
}

[Trait("Category", "Integration")]
public sealed class StorageClusterTests
{
    public const string StorageName = "dynamo";

    [Fact]
    public async Task A_grain_writes_deactivates_and_reads_its_state_back_through_the_storage()
    {
        var table = TestServers.Unique("st");
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddDynamoDbGrainStorage(StorageName, o =>
        {
            o.TableName = table;
            o.ClientFactory = _ => TestTables.Client();
        }));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageName);
        Assert.Equal(table, Assert.IsType<DynamoDbGrainStorage>(storage).TableName);

        var grain = cluster.Client.GetGrain<ICounterGrain>("orders-0");
        Assert.False(await grain.RecordExistsAsync());
        await grain.SetAsync(41, "first");
        await grain.SetAsync(42, "second");

        await cluster.DeactivateAsync(grain);
        await cluster.WaitForDeactivationAsync(grain);

        var read = await grain.GetAsync();
        Assert.Equal(42, read.Count);
        Assert.Equal("second", read.Note);
        Assert.True(await grain.RecordExistsAsync());

        // The new activation read the ETag too: it can write on.
        await grain.SetAsync(43, "third");

        using var client = TestTables.Client();
        var id = grain.GetGrainId();
        var (stored, etag) = await Eventually.WaitAsync(
            () => DynamoDbGrainStorage.ReadItemAsync<Counter>(client, table, $"{id.Type}/{id.Key}", default),
            r => r.State?.Count == 43,
            TimeSpan.FromSeconds(30),
            "the third write in the table");
        Assert.Equal("third", stored!.Note);
        Assert.NotNull(etag);
    }

    [Fact]
    public async Task A_silo_with_invalid_storage_options_does_not_start_and_names_every_problem()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddDynamoDbGrainStorage(StorageName, o =>
        {
            o.TableName = "x";
            o.MaxAttempts = 0;
            o.ClientFactory = _ => TestTables.Client();
        }));
        await using var cluster = builder.Build();

        var ex = await Record.ExceptionAsync(() => cluster.DeployAsync());

        var messages = string.Join(" | ", Flatten(ex));
        Assert.Contains(nameof(DynamoDbGrainStorageOptions.TableName), messages, StringComparison.Ordinal);
        Assert.Contains(nameof(DynamoDbGrainStorageOptions.MaxAttempts), messages, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Flatten(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            yield return ex.Message;
            if (ex is AggregateException agg)
            {
                foreach (var inner in agg.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
