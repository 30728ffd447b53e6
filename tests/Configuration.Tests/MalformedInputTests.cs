using Microsoft.Extensions.Configuration;

namespace DynamoWriter.Configuration.Tests;

/// <summary>
/// Whatever a user types, start-up must end in the one formatted message, never a stray exception
/// from YamlDotNet or the binder (YamlDotNet once threw a bare InvalidOperationException here).
/// </summary>
public class MalformedInputTests
{
    private const string Sample = """
        sc:
          log: { level: info, format: text }
          stream:
            redis: { address: "localhost:6379", password: "" }
            streams: ["events", orders]
            block: 2s
            deadLetter: { stream: "{stream}:dlq" }
          dynamoDB:
            tables: { orders: t }
            writePolicy: skip-existing
          shutdownTimeout: 30s
        """;

    private const string Noise = "{}[]:,-\"'#&*!|>%@` \n\t?~0s";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(20261121)]
    public void Mutated_yaml_fails_only_with_configuration_errors(int seed)
    {
        // Seeded, so a failure reproduces.
        var random = new Random(seed);
        for (var i = 0; i < 3000; i++)
        {
            var text = Mutate(Sample, random, random.Next(1, 4));
            IDictionary<string, string?> data;
            try
            {
                data = YamlConfigurationParser.Parse(new StringReader(text), "fuzz.yaml");
            }
            catch (ConfigurationException ex)
            {
                Assert.Matches(@"^fuzz\.yaml:\d+:\d+$", Assert.Single(ex.Errors).KeyPath);
                continue;
            }

            var root = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
            var options = ConfigurationLoader.LoadAndValidate(root, out var errors);
            Assert.NotNull(options);
            Assert.All(errors, e => Assert.StartsWith("sc", e.KeyPath, StringComparison.Ordinal));
        }
    }

    private static string Mutate(string text, Random random, int edits)
    {
        var chars = text.ToList();
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, Noise[random.Next(Noise.Length)]);
                    break;
                default:
                    chars[at] = Noise[random.Next(Noise.Length)];
                    break;
            }
        }

        return new string(chars.ToArray());
    }
}
