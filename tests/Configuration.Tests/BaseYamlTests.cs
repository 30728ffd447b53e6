using System.Collections;
using DynamoWriter.Options;
using DynamoWriter.Tests;
using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration.Tests;

/// <summary>config/base.yaml and the defaults in code must not drift apart.</summary>
public class BaseYamlTests
{
    private static string BaseYamlPath => Path.Combine(Repository.Root, "config", "base.yaml");

    [Fact]
    public void Base_yaml_binds_to_exactly_the_defaults()
    {
        var root = new ConfigurationBuilder().AddYamlFile(BaseYamlPath, optional: false).Build();
        var fromFile = ConfigurationLoader.LoadAndValidate(root, out var errors);

        Assert.Empty(errors);

        // Describe covers every settable property, so equal descriptions mean equal options; the
        // passwords are compared separately because Describe masks them.
        Assert.Equal(OptionsDescriber.Describe(new DynamoWriterOptions()), OptionsDescriber.Describe(fromFile));
        Assert.Equal("", fromFile.Stream.Redis.Password);
        Assert.Equal("", fromFile.Stream.Valkey.Password);
    }

    [Fact]
    public void Base_yaml_sets_every_key_explicitly()
    {
        // A key missing from the file would make the test above pass by default; require all of them,
        // except the map of per-stream tables, which is empty ("tables: {}") and so has no keys, the
        // valkey keys the Go service's file never listed (it shows only address and password), and the keys
        // the Orleans engine ignores: setting them would log a notice at every start, so the file lists
        // them as comments (the next test).
        var root = new ConfigurationBuilder().AddYamlFile(BaseYamlPath, optional: false).Build();
        var fileKeys = root.AsEnumerable()
            .Where(kv => kv.Value is not null)
            .Select(kv => kv.Key.Replace(':', '.'))
            .Select(k => System.Text.RegularExpressions.Regex.Replace(k, @"\.\d+$", ""))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var expected = OptionsDescriber.Describe(new DynamoWriterOptions())
            .Select(l => l.Split(" = ")[0])
            .Where(k => k is not ("sc.dynamoDB.tables" or "sc.stream.valkey.username" or "sc.stream.valkey.db" or "sc.stream.valkey.tls"))
            .Where(k => !Ignored.Contains(k));

        Assert.All(expected, k => Assert.Contains(k, fileKeys));
        Assert.All(Ignored, k => Assert.DoesNotContain(k, fileKeys));
    }

    private static readonly string[] Ignored = ["sc.stream.block", "sc.stream.consumer", "sc.dynamoDB.flushInterval"];

    [Fact]
    public void Base_yaml_documents_the_ignored_keys_as_comments_and_causes_no_notice()
    {
        var lines = File.ReadAllLines(BaseYamlPath);
        foreach (var key in Ignored)
        {
            var name = key[(key.LastIndexOf('.') + 1)..];
            Assert.Contains(lines, l => l.TrimStart().StartsWith($"# {name}:", StringComparison.Ordinal) && l.Contains("ignored", StringComparison.Ordinal));
        }

        var root = new ConfigurationBuilder().AddYamlFile(BaseYamlPath, optional: false).AddScEnvironmentVariables(new Hashtable()).Build();
        Assert.Empty(ConfigurationNotices.Collect(root));
    }

    [Fact]
    public void Base_yaml_loads_through_the_loader_with_environment_on_top()
    {
        var root = ConfigurationLoader.Build(null, Repository.Root, out var file, new Hashtable { ["SC_DYNAMODB_REGION"] = "eu-west-1" }, Repository.Root);
        Assert.Equal(BaseYamlPath, file);
        var options = ConfigurationLoader.LoadAndValidate(root, out var errors);
        Assert.Empty(errors);
        Assert.Equal("eu-west-1", options.DynamoDB.Region);
    }
}
