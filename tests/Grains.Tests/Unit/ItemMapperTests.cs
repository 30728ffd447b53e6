using System.Text;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using static DynamoWriter.Grains.Tests.Unit.TestData;

namespace DynamoWriter.Grains.Tests.Unit;

[Trait("Category", "Unit")]
public class ItemMapperTests
{
    private static WriteItem Ok(MapResult r)
    {
        Assert.True(r.IsSuccess, $"{r.ErrorKind}: {r.Error}");
        return r.Item;
    }

    private static string Fails(MapResult r, EntryErrorKind kind)
    {
        Assert.False(r.IsSuccess);
        Assert.Equal(kind, r.ErrorKind);
        Assert.False(string.IsNullOrEmpty(r.Error));
        return r.Error!;
    }

    [Fact]
    public void Fields_become_string_attributes_and_the_last_duplicate_wins()
    {
        var entry = Entry("5-1", ("pk", "a"), ("x", "1"), ("x", "2"), ("empty", ""));
        var item = Ok(Fields().Map(entry, StringKey));
        Assert.Same(entry, item.Entry);
        Assert.Equal(3, item.Attributes.Count);
        Assert.Equal("a", item.Attributes["pk"].S);
        Assert.Equal("2", item.Attributes["x"].S);
        Assert.Equal("", item.Attributes["empty"].S);
        Assert.Equal("a", item.KeyText);
        Assert.Equal(("pk" + "a" + "x" + "2" + "empty").Length, item.SizeBytes);
    }

    [Fact]
    public void Fields_number_key_is_normalised()
    {
        var item = Ok(Fields().Map(Entry("1-0", ("id", "0010.50"), ("v", "x")), NumberKey));
        Assert.Null(item.Attributes["id"].S);
        Assert.Equal("10.5", item.Attributes["id"].N);
        Assert.Equal("10.5", item.KeyText);
    }

    [Fact]
    public void Fields_binary_key_is_decoded()
    {
        var item = Ok(Fields().Map(Entry("1-0", ("bin", Convert.ToBase64String([1, 2, 3, 255]))), BinaryKey));
        Assert.Equal(new byte[] { 1, 2, 3, 255 }, item.Attributes["bin"].B.ToArray());
        Assert.Equal("AQID/w==", item.KeyText);
    }

    [Fact]
    public void Composite_key_text_separates_hash_and_range()
    {
        var a = Ok(Fields().Map(Entry("1-0", ("id", "1"), ("sk", "23")), Composite));
        var b = Ok(Fields().Map(Entry("1-0", ("id", "12"), ("sk", "3")), Composite));
        var c = Ok(Fields().Map(Entry("1-0", ("id", "1.0"), ("sk", "23")), Composite));
        Assert.NotEqual(a.KeyText, b.KeyText);
        Assert.Equal(a.KeyText, c.KeyText);
    }

    [Fact]
    public void Missing_key_names_the_attribute()
    {
        Assert.Contains("'pk'", Fails(Fields().Map(Entry("1-0", ("x", "1")), StringKey), EntryErrorKind.MissingKey), StringComparison.Ordinal);
        Assert.Contains("'sk'", Fails(Fields().Map(Entry("1-0", ("id", "1")), Composite), EntryErrorKind.MissingKey), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_key_is_reported()
    {
        Fails(Fields().Map(Entry("1-0", ("pk", "")), StringKey), EntryErrorKind.EmptyKey);
        Fails(Fields().Map(Entry("1-0", ("id", "")), NumberKey), EntryErrorKind.EmptyKey);
        Fails(Fields().Map(Entry("1-0", ("bin", "")), BinaryKey), EntryErrorKind.EmptyKey);
    }

    [Fact]
    public void Unconvertible_key_names_attribute_type_and_truncated_value()
    {
        var error = Fails(Fields().Map(Entry("1-0", ("id", "abc")), NumberKey), EntryErrorKind.KeyTypeMismatch);
        Assert.Contains("'id'", error, StringComparison.Ordinal);
        Assert.Contains("(N)", error, StringComparison.Ordinal);
        Assert.Contains("abc", error, StringComparison.Ordinal);

        var longValue = new string('x', 5000);
        error = Fails(Fields().Map(Entry("1-0", ("id", longValue)), NumberKey), EntryErrorKind.KeyTypeMismatch);
        Assert.True(error.Length < 300, error);

        error = Fails(Fields().Map(Entry("1-0", ("bin", "not base64!")), BinaryKey), EntryErrorKind.KeyTypeMismatch);
        Assert.Contains("(B)", error, StringComparison.Ordinal);
        Fails(Fields().Map(Entry("1-0", ("id", "1e400")), NumberKey), EntryErrorKind.KeyTypeMismatch);
    }

    [Fact]
    public void Json_maps_every_type()
    {
        var json = """
            {"pk":"k1","s":"text","n":12.50,"neg":-3,"t":true,"f":false,"z":null,
             "l":[1,"two",[],{}],"m":{"inner":{"deep":"x"},"e":[]},"esc":"a\"b\u00e9","empty":""}
            """;
        var item = Ok(JsonMapper().Map(Json(json), StringKey));
        var a = item.Attributes;
        Assert.Equal("k1", a["pk"].S);
        Assert.Equal("text", a["s"].S);
        Assert.Equal("12.5", a["n"].N);
        Assert.Equal("-3", a["neg"].N);
        Assert.True(a["t"].BOOL);
        Assert.False(a["f"].BOOL);
        Assert.True(a["z"].NULL);
        Assert.Equal(4, a["l"].L.Count);
        Assert.Equal("1", a["l"].L[0].N);
        Assert.Equal("two", a["l"].L[1].S);
        Assert.Empty(a["l"].L[2].L);
        Assert.Empty(a["l"].L[3].M);
        Assert.Equal("x", a["m"].M["inner"].M["deep"].S);
        Assert.Empty(a["m"].M["e"].L);
        Assert.Equal("a\"bé", a["esc"].S);
        Assert.Equal("", a["empty"].S);
        Assert.DoesNotContain("payload", a.Keys);
    }

    [Fact]
    public void Json_ignores_other_entry_fields_and_last_duplicate_property_wins()
    {
        var entry = Entry("1-0", ("other", "x"), ("payload", """{"pk":"a","v":1,"v":2}"""));
        var item = Ok(JsonMapper().Map(entry, StringKey));
        Assert.Equal(2, item.Attributes.Count);
        Assert.Equal("2", item.Attributes["v"].N);
    }

    [Fact]
    public void Json_key_conversions()
    {
        Assert.Equal("42", Ok(JsonMapper().Map(Json("""{"pk":42}"""), StringKey)).Attributes["pk"].S);
        Assert.Equal("1.50", Ok(JsonMapper().Map(Json("""{"pk":1.50}"""), StringKey)).Attributes["pk"].S);
        Assert.Equal("42", Ok(JsonMapper().Map(Json("""{"id":"42.0"}"""), NumberKey)).Attributes["id"].N);
        Assert.Equal("42", Ok(JsonMapper().Map(Json("""{"id":4.2e1}"""), NumberKey)).Attributes["id"].N);
        Assert.Equal(new byte[] { 7 }, Ok(JsonMapper().Map(Json("""{"bin":"Bw=="}"""), BinaryKey)).Attributes["bin"].B.ToArray());

        // a number that is no DynamoDB number is still fine as the text of a string key
        var big = new string('9', 50);
        Assert.Equal(big, Ok(JsonMapper().Map(Json($$"""{"pk":{{big}}}"""), StringKey)).Attributes["pk"].S);

        Fails(JsonMapper().Map(Json("""{"pk":true}"""), StringKey), EntryErrorKind.KeyTypeMismatch);
        Fails(JsonMapper().Map(Json("""{"pk":null}"""), StringKey), EntryErrorKind.KeyTypeMismatch);
        Fails(JsonMapper().Map(Json("""{"pk":{"a":1}}"""), StringKey), EntryErrorKind.KeyTypeMismatch);
        Fails(JsonMapper().Map(Json("""{"id":"x1"}"""), NumberKey), EntryErrorKind.KeyTypeMismatch);
        Fails(JsonMapper().Map(Json("""{"pk":""}"""), StringKey), EntryErrorKind.EmptyKey);
        Fails(JsonMapper().Map(Json("""{"x":1}"""), StringKey), EntryErrorKind.MissingKey);
        Fails(JsonMapper().Map(Json("""{"m":{"pk":"nested is not top-level"}}"""), StringKey), EntryErrorKind.MissingKey);
    }

    [Fact]
    public void Json_payload_errors()
    {
        Fails(JsonMapper().Map(Entry("1-0", ("data", "{}")), StringKey), EntryErrorKind.MissingPayload);
        var error = Fails(JsonMapper().Map(Json("""{"pk": "a", """), StringKey), EntryErrorKind.MalformedJson);
        Assert.Contains("BytePositionInLine", error, StringComparison.Ordinal);
        Fails(JsonMapper().Map(Json(""), StringKey), EntryErrorKind.MalformedJson);
        Fails(JsonMapper().Map(Json("not json"), StringKey), EntryErrorKind.MalformedJson);
        Fails(JsonMapper().Map(Json("""{"pk":"a"} trailing"""), StringKey), EntryErrorKind.MalformedJson);
        Fails(JsonMapper().Map(Json("""{"pk":"a",}"""), StringKey), EntryErrorKind.MalformedJson);
        Fails(JsonMapper().Map(Json("[1,2"), StringKey), EntryErrorKind.MalformedJson);
        Fails(JsonMapper().Map(Json("[1,2]"), StringKey), EntryErrorKind.PayloadNotObject);
        Fails(JsonMapper().Map(Json("\"text\""), StringKey), EntryErrorKind.PayloadNotObject);
        Fails(JsonMapper().Map(Json("42"), StringKey), EntryErrorKind.PayloadNotObject);
        Fails(JsonMapper().Map(Json("null"), StringKey), EntryErrorKind.PayloadNotObject);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("1e-400")]
    [InlineData("123456789012345678901234567890123456789")]
    public void Json_invalid_numbers(string number)
    {
        var error = Fails(JsonMapper().Map(Json($$"""{"pk":"a","amount":{{number}}}"""), StringKey), EntryErrorKind.InvalidNumber);
        Assert.Contains("'amount'", error, StringComparison.Ordinal);
        Fails(JsonMapper().Map(Json($$"""{"pk":"a","l":[{"x":{{number}}}]}"""), StringKey), EntryErrorKind.InvalidNumber);
    }

    private static string Nested(int levels) =>
        string.Concat(Enumerable.Repeat("{\"a\":", levels - 1)) + "[]" + new string('}', levels - 1);

    [Fact]
    public void Json_nesting_limit_is_31_containers_under_an_attribute()
    {
        // Nested(n): the attribute "x" holds n nested containers; with the item, 32 levels.
        Ok(JsonMapper().Map(Json($$"""{"pk":"a","x":{{Nested(31)}}}"""), StringKey));
        var error = Fails(JsonMapper().Map(Json($$"""{"pk":"a","x":{{Nested(32)}}}"""), StringKey), EntryErrorKind.NestingTooDeep);
        Assert.Contains("'x'", error, StringComparison.Ordinal);
        Fails(JsonMapper().Map(Json($$"""{"pk":"a","x":{{Nested(300)}}}"""), StringKey), EntryErrorKind.NestingTooDeep);
    }

    [Fact]
    public void Size_limit_counts_names_and_values()
    {
        var name = "n";
        var fits = new string('x', ItemSize.MaxItemBytes - "pk".Length - "a".Length - name.Length);
        var item = Ok(Fields().Map(Entry("1-0", ("pk", "a"), (name, fits)), StringKey));
        Assert.Equal(ItemSize.MaxItemBytes, item.SizeBytes);

        Fails(Fields().Map(Entry("1-0", ("pk", "a"), (name, fits + "x")), StringKey), EntryErrorKind.ItemTooLarge);

        // multi-byte characters count in UTF-8 bytes
        var wide = new string('é', (ItemSize.MaxItemBytes / 2) + 1);
        Fails(Fields().Map(Entry("1-0", ("pk", "a"), ("w", wide)), StringKey), EntryErrorKind.ItemTooLarge);
        Fails(JsonMapper().Map(Json($$"""{"pk":"a","w":"{{wide}}"}"""), StringKey), EntryErrorKind.ItemTooLarge);
    }

    [Fact]
    public void Size_of_numbers_lists_and_maps()
    {
        var item = Ok(JsonMapper().Map(Json("""{"pk":"a","n":12345,"b":true,"l":[1,null],"m":{"k":"v"}}"""), StringKey));
        // pk:2+1  n:1+(3+1)  b:1+1  l:1+3+(1+2)+(1+1)  m:1+3+1+1+1
        Assert.Equal(3 + 5 + 2 + 9 + 7, item.SizeBytes);
        Assert.Equal(ItemSize.Estimate(item.Attributes), item.SizeBytes);
        Assert.Equal(Encoding.UTF8.GetByteCount("pk") + 1, ItemSize.Estimate(new() { ["pk"] = new() { S = "a" } }));
    }

    [Fact]
    public void Newer_wins_with_entry_id_adds_a_sortable_string_version()
    {
        var item = Ok(Fields(WritePolicy.NewerWins).Map(Entry("1700000000000-5", ("pk", "a")), StringKey));
        Assert.Equal(new StreamEntryId(1700000000000, 5).ToSortableString(), item.Attributes[DynamoDbOptions.DefaultVersionAttribute].S);

        // overwrite adds nothing
        Assert.DoesNotContain(DynamoDbOptions.DefaultVersionAttribute, Ok(Fields().Map(Entry("1-5", ("pk", "a")), StringKey)).Attributes.Keys);
        Fails(Fields(WritePolicy.NewerWins).Map(Entry("not-an-id", ("pk", "a")), StringKey), EntryErrorKind.InvalidVersion);
    }

    [Fact]
    public void Newer_wins_with_version_field_stores_the_number_in_that_field()
    {
        var mapper = Fields(WritePolicy.NewerWins, "ver");
        Assert.Equal("12", Ok(mapper.Map(Entry("1-0", ("pk", "a"), ("ver", "012")), StringKey)).Attributes["ver"].N);
        Fails(mapper.Map(Entry("1-0", ("pk", "a"), ("ver", "x")), StringKey), EntryErrorKind.InvalidVersion);
        Fails(mapper.Map(Entry("1-0", ("pk", "a")), StringKey), EntryErrorKind.InvalidVersion);

        var json = JsonMapper(WritePolicy.NewerWins, "ver");
        Assert.Equal("7", Ok(json.Map(Json("""{"pk":"a","ver":7}"""), StringKey)).Attributes["ver"].N);
        Assert.Equal("8", Ok(json.Map(Json("""{"pk":"a","ver":"8"}"""), StringKey)).Attributes["ver"].N);
        Assert.Equal("9", Ok(json.Map(Entry("1-0", ("ver", "9"), ("payload", """{"pk":"a"}""")), StringKey)).Attributes["ver"].N);
        Fails(json.Map(Json("""{"pk":"a","ver":true}"""), StringKey), EntryErrorKind.InvalidVersion);
        Fails(json.Map(Json("""{"pk":"a"}"""), StringKey), EntryErrorKind.InvalidVersion);
    }

    [Fact]
    public void Mapping_allocates_little()
    {
        var mapper = Fields();
        var entry = Entry("1-0", ("pk", "key"), ("a", "1"), ("b", "2"), ("c", "3"));
        mapper.Map(entry, StringKey);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            mapper.Map(entry, StringKey);
        }

        var perEntry = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        // dictionary + 4 attribute values + WriteItem; a regression (strings copied, LINQ...) shows up here
        Assert.True(perEntry < 1200, $"{perEntry} bytes per entry");
    }
}
