using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration.Tests;

public class YamlConfigurationTests
{
    private static IDictionary<string, string?> Parse(string yaml) => YamlConfigurationParser.Parse(new StringReader(yaml), "test.yaml");

    [Fact]
    public void Nested_mappings_become_colon_keys()
    {
        var data = Parse("""
            sc:
              stream:
                redis: { address: "redis:6379", db: 2 }
                block: 2s
              dynamoDB:
                tableName: t
            """);

        Assert.Equal("redis:6379", data["sc:stream:redis:address"]);
        Assert.Equal("2", data["sc:stream:redis:db"]);
        Assert.Equal("2s", data["sc:stream:block"]);
        Assert.Equal("t", data["sc:dynamoDB:tableName"]);
        Assert.Equal(4, data.Count);
    }

    [Fact]
    public void Sequences_become_index_children()
    {
        var data = Parse("""
            sc:
              stream:
                streams:
                  - orders
                  - "payments,eu"
            """);

        Assert.Equal("orders", data["sc:stream:streams:0"]);
        Assert.Equal("payments,eu", data["sc:stream:streams:1"]);
        Assert.False(data.ContainsKey("sc:stream:streams"));
    }

    [Fact]
    public void Empty_mapping_adds_no_key_and_empty_sequence_is_an_empty_value()
    {
        var data = Parse("""
            sc:
              dynamoDB:
                tables: {}
              stream:
                streams: []
            """);

        Assert.DoesNotContain(data.Keys, k => k.StartsWith("sc:dynamoDB", StringComparison.Ordinal));
        Assert.Equal("", data["sc:stream:streams"]);
    }

    [Theory]
    [InlineData("consumer:")]
    [InlineData("consumer: ~")]
    [InlineData("consumer: null")]
    [InlineData("consumer: NULL")]
    [InlineData("consumer: \"\"")]
    public void Nulls_become_empty_strings(string line)
    {
        var data = Parse($"sc:\n  stream:\n    {line}\n");
        Assert.Equal("", data["sc:stream:consumer"]);
    }

    [Fact]
    public void Quoted_null_is_a_string()
    {
        Assert.Equal("null", Parse("sc: { stream: { consumer: \"null\" } }")["sc:stream:consumer"]);
    }

    [Fact]
    public void Scalars_keep_their_text()
    {
        var data = Parse("sc: { http: { port: 0080 }, stream: { trimPersisted: yes, deadLetter: { stream: '{stream}:dlq' } } }");
        Assert.Equal("0080", data["sc:http:port"]);
        Assert.Equal("yes", data["sc:stream:trimPersisted"]);
        Assert.Equal("{stream}:dlq", data["sc:stream:deadLetter:stream"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    public void Empty_documents_configure_nothing(string yaml)
    {
        Assert.Empty(Parse(yaml));
    }

    [Fact]
    public void Anchors_and_aliases_are_resolved()
    {
        var data = Parse("""
            sc:
              stream:
                redis: &server { address: "a:1" }
                valkey: *server
            """);
        Assert.Equal("a:1", data["sc:stream:valkey:address"]);
    }

    public static TheoryData<string, int, int, string> SyntaxErrors => new()
    {
        { "sc:\n  stream:\n    block: 2s\n   group: x\n", 4, 4, "YAML syntax error" },
        { "sc:\n  log: { level: info\n  http: {}\n", 2, 0, "an unclosed" },
        { "sc:\n  stream:\n    streams: [a, b\n", 0, 0, "YAML syntax error" },
        { "sc:\n  http:\n    port: 1\n    port: 2\n", 4, 5, "Duplicate key port" },
        { "sc:\n  http:\n    port: 1\n    Port: 2\n", 4, 5, "duplicate key 'sc.http.Port' (keys are case-insensitive)" },
        { "- a\n- b\n", 1, 1, "the top level must be a mapping" },
        { "sc: {}\n---\nsc: {}\n", 3, 1, "only one YAML document" },
        { "sc:\n  ? [a, b]\n  : x\n", 2, 5, "a key must be a plain, non-empty value" },
    };

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public void Syntax_errors_name_file_line_and_column(string yaml, int line, int column, string expected)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Parse(yaml));
        var error = Assert.Single(ex.Errors);
        Assert.Matches(@"^test\.yaml:\d+:\d+$", error.KeyPath);
        if (line > 0)
        {
            Assert.StartsWith($"test.yaml:{line}:", error.KeyPath, StringComparison.Ordinal);
        }

        if (column > 0)
        {
            Assert.EndsWith($":{column}", error.KeyPath, StringComparison.Ordinal);
        }

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Line:", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("DynamoWriter configuration is invalid (1 error):\n  test.yaml:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_source_loads_and_reports_the_path_in_syntax_errors()
    {
        using var dir = new TestConfig.TempDirectory();
        var good = dir.Write("good.yaml", "sc:\n  stream:\n    group: g\n");
        var bad = dir.Write("bad.yaml", "sc:\n  stream: [\n");

        var root = new ConfigurationBuilder().AddYamlFile(good, optional: false).Build();
        Assert.Equal("g", root["sc:stream:group"]);

        var ex = Assert.Throws<ConfigurationException>(() => new ConfigurationBuilder().AddYamlFile(bad, optional: false).Build());
        Assert.StartsWith(bad + ":", Assert.Single(ex.Errors).KeyPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_an_error_unless_optional()
    {
        using var dir = new TestConfig.TempDirectory();
        var missing = Path.Combine(dir.Path, "missing.yaml");

        var root = new ConfigurationBuilder().AddYamlFile(missing, optional: true).Build();
        Assert.Empty(root.AsEnumerable());

        var ex = Assert.Throws<ConfigurationException>(() => new ConfigurationBuilder().AddYamlFile(missing, optional: false).Build());
        Assert.Contains("does not exist", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }
}
