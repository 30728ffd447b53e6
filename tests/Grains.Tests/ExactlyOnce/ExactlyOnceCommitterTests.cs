using DynamoWriter.Grains.Tests.Storage;
using DynamoWriter.Tests;

namespace DynamoWriter.Grains.Tests.ExactlyOnce;

/// <summary>
/// Issue 13's exactly-once guarantees at the commit itself, on DynamoDB Local in both runs (dynalite has no
/// transactions; <see cref="TransactionalDynamo"/>):
/// one batch fed to two activations commits once, a lost reply is not applied twice, the policies' conditions
/// and repeated keys behave inside transactions, and the checkpoint counts every entry exactly once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExactlyOnceCommitterTests
{
    private static IEnumerable<string> Keys(int count, string prefix = "k") => Enumerable.Range(0, count).Select(i => $"{prefix}{i}");

    [Fact]
    public async Task Two_activations_fed_the_same_batch_commit_it_once()
    {
        using var dynamo = TestTables.Client(await TransactionalDynamo.EndpointAsync());
        var kit = await CommitterKit.CreateAsync(dynamo);
        // Both start from the same stored checkpoint, as a second activation would; 250 items are three transactions.
        var first = await kit.CommitterAsync();
        var second = await kit.CommitterAsync();
        var items = kit.Items(Keys(250));

        var reports = await Task.WhenAll(
            Task.Run(() => first.CommitAsync(items, items[^1].Entry.Id, CancellationToken.None)),
            Task.Run(() => second.CommitAsync(items, items[^1].Entry.Id, CancellationToken.None)));

        Assert.All(reports, r => Assert.Null(r.Error));
        Assert.Equal(250, reports.Sum(r => r.Written.Count));
        Assert.Equal(250, reports.Sum(r => r.AlreadyCommitted));
        Assert.All(reports, r => Assert.Equal(250, r.Done.Count)); // each acknowledges every entry it was handed
        var (stored, etag) = await kit.ReadAsync();
        Assert.Equal(250, stored.Written);
        Assert.Equal(0, stored.Skipped);
        Assert.Equal(items[^1].Entry.Id, stored.Position);
        Assert.Contains(etag, new[] { first.ETag, second.ETag });
        Assert.Equal(250, (await kit.TableAsync()).Count);

        // Delivered a third time (a restart): everything is at or below the checkpoint.
        var third = await kit.CommitterAsync();
        Assert.All(items, i => Assert.True(third.IsCommitted(i.Entry)));
        Assert.False(third.IsCommitted(items[0].Entry with { Claimed = true }), "a claimed entry is written again, never dropped");
    }

    [Fact]
    public async Task A_retry_after_a_lost_reply_is_not_applied_twice()
    {
        using var flaky = new FlakyDynamo(await TransactionalDynamo.EndpointAsync()) { LoseTransactionAnswers = 1 };
        // skip-existing makes a second application visible: its conditions would fail and count every item skipped.
        var kit = await CommitterKit.CreateAsync(flaky, WritePolicy.SkipExisting);
        var committer = await kit.CommitterAsync(flaky);
        var items = kit.Items(Keys(40));

        var report = await committer.CommitAsync(items, items[^1].Entry.Id, CancellationToken.None);

        Assert.True(flaky.Transactions >= 2, "the lost reply was not retried");
        Assert.Null(report.Error);
        Assert.Equal(40, report.Written.Count);
        Assert.Equal(0, report.Skipped);
        var (stored, etag) = await kit.ReadAsync();
        Assert.Equal(40, stored.Written);
        Assert.Equal(0, stored.Skipped);
        Assert.Equal(committer.ETag, etag);
    }

    [Fact]
    public async Task Skip_existing_drops_the_items_whose_condition_fails_and_commits_the_rest()
    {
        using var dynamo = TestTables.Client(await TransactionalDynamo.EndpointAsync());
        var kit = await CommitterKit.CreateAsync(dynamo, WritePolicy.SkipExisting);
        var committer = await kit.CommitterAsync();
        var existing = kit.Items(Keys(5), "old");
        Assert.Equal(5, (await committer.CommitAsync(existing, existing[^1].Entry.Id, CancellationToken.None)).Written.Count);

        var items = kit.Items(Keys(20), "new");
        var report = await committer.CommitAsync(items, items[^1].Entry.Id, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.Equal(15, report.Written.Count);
        Assert.Equal(5, report.Skipped);
        Assert.Equal(20, report.Done.Count);
        Assert.Empty(report.Rejected);
        var table = await kit.TableAsync();
        Assert.All(Keys(5), k => Assert.Equal("old", table[k]["v"].S));
        Assert.All(Keys(20).Skip(5), k => Assert.Equal("new", table[k]["v"].S));
        var (stored, _) = await kit.ReadAsync();
        Assert.Equal(20, stored.Written);
        Assert.Equal(5, stored.Skipped);
    }

    [Fact]
    public async Task A_key_repeated_in_one_read_is_applied_in_stream_order()
    {
        using var dynamo = TestTables.Client(await TransactionalDynamo.EndpointAsync());
        var kit = await CommitterKit.CreateAsync(dynamo);
        var committer = await kit.CommitterAsync();
        // One transaction cannot touch an item twice: the read is cut before each repeat, in order.
        var items = new[] { "a", "b", "a", "c", "a", "b" }.Select((k, i) => kit.Item([new("pk", k), new("v", $"{i}")])).ToList();

        var report = await committer.CommitAsync(items, items[^1].Entry.Id, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.Equal(6, report.Written.Count);
        var table = await kit.TableAsync();
        Assert.Equal("4", table["a"]["v"].S);
        Assert.Equal("5", table["b"]["v"].S);
        Assert.Equal("3", table["c"]["v"].S);
        Assert.Equal(6, (await kit.ReadAsync()).State.Written);
    }

    [Fact]
    public async Task Newer_wins_conditions_hold_inside_transactions()
    {
        using var dynamo = TestTables.Client(await TransactionalDynamo.EndpointAsync());
        var kit = await CommitterKit.CreateAsync(dynamo, WritePolicy.NewerWins, versionField: "ver");
        var committer = await kit.CommitterAsync();
        var first = new[] { ("x", 5), ("y", 1) }.Select(e => kit.Item([new("pk", e.Item1), new("ver", $"{e.Item2}")])).ToList();
        await committer.CommitAsync(first, first[^1].Entry.Id, CancellationToken.None);

        var second = new[] { ("x", 3), ("y", 2) }.Select(e => kit.Item([new("pk", e.Item1), new("ver", $"{e.Item2}")])).ToList();
        var report = await committer.CommitAsync(second, second[^1].Entry.Id, CancellationToken.None);

        Assert.Single(report.Written);
        Assert.Equal(1, report.Skipped);
        var table = await kit.TableAsync();
        Assert.Equal("5", table["x"]["ver"].N);
        Assert.Equal("2", table["y"]["ver"].N);
        var (stored, _) = await kit.ReadAsync();
        Assert.Equal(3, stored.Written);
        Assert.Equal(1, stored.Skipped);
    }

    [Fact]
    public async Task Dead_letters_counted_by_the_next_commit_and_the_position_held_when_asked()
    {
        using var dynamo = TestTables.Client(await TransactionalDynamo.EndpointAsync());
        var kit = await CommitterKit.CreateAsync(dynamo);
        var committer = await kit.CommitterAsync();
        var items = kit.Items(Keys(3));

        // Entries not finished (their dead letters not durable): the items commit, the position stays.
        await committer.CommitAsync(items, advanceTo: null, CancellationToken.None);
        Assert.Equal("", (await kit.ReadAsync()).State.Position);
        Assert.False(committer.IsCommitted(items[0].Entry));

        // Two dead letters and the read's last ID, with no items: a commit of the checkpoint alone.
        committer.PendingDeadLettered = 2;
        var report = await committer.CommitAsync([], "99-0", CancellationToken.None);
        Assert.Null(report.Error);
        var (stored, _) = await kit.ReadAsync();
        Assert.Equal("99-0", stored.Position);
        Assert.Equal(2, stored.DeadLettered);
        Assert.Equal(3, stored.Written);
        Assert.Equal(0, committer.PendingDeadLettered);

        // Nothing new: no commit at all.
        var etag = committer.ETag;
        await committer.CommitAsync([], "99-0", CancellationToken.None);
        Assert.Equal(etag, (await kit.ReadAsync()).ETag);
    }

    [Fact]
    public async Task Deletes_commit_in_stream_order_and_the_checkpoint_counts_them()
    {
        using var dynamo = TestTables.Client(await TransactionalDynamo.EndpointAsync());
        var kit = await CommitterKit.CreateAsync(dynamo, WritePolicy.NewerWins, versionField: "ver");
        var committer = await kit.CommitterAsync();
        StreamField Delete() => new("dw:op", "delete");
        var items = new List<Grains.DynamoDb.WriteItem>
        {
            kit.Item([new("pk", "a"), new("ver", "1")]),
            kit.Item([new("pk", "a"), new("ver", "2"), Delete()]),
            kit.Item([new("pk", "a"), new("ver", "3")]),          // put, delete, put: the put stays
            kit.Item([new("pk", "b"), new("ver", "5")]),
            kit.Item([new("pk", "b"), new("ver", "4"), Delete()]), // older than the stored item: skipped
            kit.Item([new("pk", "c"), new("ver", "1")]),
            kit.Item([new("pk", "c"), new("ver", "2"), Delete()]), // newer: deleted
        };

        var report = await committer.CommitAsync(items, items[^1].Entry.Id, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.Equal(4, report.Written.Count);
        Assert.Equal(2, report.Deleted);
        Assert.Equal(1, report.Skipped);
        var table = await kit.TableAsync();
        Assert.Equal(["a", "b"], table.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("3", table["a"]["ver"].N);
        Assert.Equal("5", table["b"]["ver"].N);
        var (stored, _) = await kit.ReadAsync();
        Assert.Equal((4L, 2L, 1L), (stored.Written, stored.Deleted, stored.Skipped));
    }
}
