using DynamoWriter.Grains.Writer;

namespace DynamoWriter.Grains.Tests.Unit;

[Trait("Category", "Unit")]
public class RecentEntriesTests
{
    private static StreamEntry Entry(string id) => new("s", id, [new StreamField("pk", id)]);

    private static string[] Ids(IReadOnlyList<StreamEntry> entries) => [.. entries.Select(e => e.Id)];

    [Fact]
    public void A_read_newer_than_everything_finished_comes_back_as_the_same_list()
    {
        var recent = new RecentEntries(100);
        recent.Add(["1-0", "1-1", "2-0"]);
        StreamEntry[] read = [Entry("2-1"), Entry("3-0")];

        Assert.Same(read, recent.Unfinished(read));
    }

    [Fact]
    public void Finished_entries_are_left_out_and_the_rest_keep_their_order()
    {
        var recent = new RecentEntries(100);
        recent.Add(["5-0", "7-0"]);
        recent.Add(["3-0"]);

        var unfinished = recent.Unfinished([Entry("3-0"), Entry("4-0"), Entry("5-0"), Entry("6-0"), Entry("7-0"), Entry("8-0")]);

        Assert.Equal(["4-0", "6-0", "8-0"], Ids(unfinished));
    }

    [Fact]
    public void IDs_are_ordered_as_numbers_not_as_text()
    {
        var recent = new RecentEntries(100);
        recent.Add(["10-0", "9-5", "100-1"]);

        var unfinished = recent.Unfinished([Entry("9-5"), Entry("9-10"), Entry("10-0"), Entry("99-0"), Entry("100-1")]);

        Assert.Equal(["9-10", "99-0"], Ids(unfinished));
    }

    [Fact]
    public void The_oldest_reads_are_forgotten_past_the_capacity_and_at_least_that_many_IDs_are_kept()
    {
        var recent = new RecentEntries(4);
        recent.Add(["1-0", "1-1", "1-2"]);
        recent.Add(["2-0", "2-1"]);
        Assert.Equal(5, recent.Count);

        recent.Add(["3-0", "3-1"]);

        Assert.Equal(4, recent.Count);
        Assert.Equal(["1-0", "1-2"], Ids(recent.Unfinished([Entry("1-0"), Entry("1-2"), Entry("2-1"), Entry("3-0")])));
    }

    [Fact]
    public void Nothing_finished_yet_leaves_every_entry_unfinished()
    {
        var recent = new RecentEntries(10);
        recent.Add([]);
        StreamEntry[] read = [Entry("1-0")];

        Assert.Same(read, recent.Unfinished(read));
        Assert.Equal(0, recent.Count);
    }
}
