using static DynamoWriter.Redis.RespValue;

namespace DynamoWriter.Redis.Tests;

[Trait("Category", "Unit")]
public class StreamReplyParserTests
{
    [Fact]
    public void Read_reply_flattens_streams_and_keeps_deleted_entries_with_no_fields()
    {
        var reply = CreateArray(
            CreateArray(CreateBulkString("a"), CreateArray(
                Entry("1-0", "f", "v", "f", "w"),
                CreateArray(CreateBulkString("2-0"), Null))),
            CreateArray(CreateBulkString("b"), CreateArray(Entry("3-0", "x", "y"))));

        var entries = StreamReplyParser.ParseRead(reply);

        Assert.Equal(["a/1-0", "a/2-0", "b/3-0"], entries.Select(e => $"{e.Stream}/{e.Id}"));
        Assert.Equal([new StreamField("f", "v"), new StreamField("f", "w")], entries[0].Fields);
        Assert.Equal("w", entries[0].GetField("f"));
        Assert.Empty(entries[1].Fields);
        Assert.Empty(StreamReplyParser.ParseRead(Null));
    }

    [Fact]
    public void Pending_summary_with_nothing_pending()
    {
        var summary = StreamReplyParser.ParsePendingSummary(CreateArray(CreateInteger(0), Null, Null, Null));

        Assert.Equal(0, summary.Count);
        Assert.Null(summary.SmallestId);
        Assert.Empty(summary.Consumers);
    }

    [Fact]
    public void Auto_claim_without_a_third_element_has_no_deleted_ids()
    {
        var result = StreamReplyParser.ParseAutoClaim("s", CreateArray(CreateBulkString("0-0"), CreateArray(Entry("1-0", "a", "b"))));

        Assert.Equal("0-0", result.NextStart);
        Assert.Single(result.Entries);
        Assert.Empty(result.DeletedIds);
    }

    [Fact]
    public void Group_info_with_unknown_lag()
    {
        var groups = StreamReplyParser.ParseGroups(CreateArray(CreateArray(
            CreateBulkString("name"), CreateBulkString("g"),
            CreateBulkString("consumers"), CreateInteger(2),
            CreateBulkString("pending"), CreateInteger(3),
            CreateBulkString("last-delivered-id"), CreateBulkString("5-0"),
            CreateBulkString("entries-read"), Null,
            CreateBulkString("lag"), Null)));

        Assert.Equal(new GroupInfo("g", 2, 3, "5-0", null, null), Assert.Single(groups));
    }

    private static RespValue Entry(string id, params string[] fields) =>
        CreateArray(CreateBulkString(id), CreateArray(fields.Select(CreateBulkString).ToArray()));
}
