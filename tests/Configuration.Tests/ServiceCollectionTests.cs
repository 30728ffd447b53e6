using System.Collections;
using DynamoWriter.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Configuration.Tests;

public class ServiceCollectionTests
{
    [Fact]
    public void Valid_configuration_binds()
    {
        var root = TestConfig.FromYaml("sc: { stream: { block: 5s, streams: [a, b] } }", new Hashtable { ["SC_DYNAMODB_BATCHSIZE"] = "10" });
        var services = new ServiceCollection();
        services.AddDynamoWriterOptions(root.GetSection("sc"));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<DynamoWriterOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), options.Stream.Block);
        Assert.Equal(["a", "b"], options.Stream.Streams);
        Assert.Equal(10, options.DynamoDB.BatchSize);
    }

    [Fact]
    public void Start_fails_with_every_error_in_one_message()
    {
        var root = TestConfig.FromYaml("""
            sc:
              log: { level: loud }
              stream: { block: fast }
              dynamoDB: { batchSize: 30 }
            """);
        var services = new ServiceCollection();
        services.AddDynamoWriterOptions(root.GetSection("sc"));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        // Binding errors first, then the semantic ones.
        Assert.Equal(
            """
            DynamoWriter configuration is invalid (3 errors):
              sc.stream.block: 'fast' is not a duration (use Go style such as 2s, 250ms, 1m30s)
              sc.log.level: 'loud' is not one of debug, info, warn, error
              sc.dynamoDB.batchSize: 30 is above the DynamoDB limit of 25
            """.ReplaceLineEndings("\n"),
            ex.Message);
    }

    [Fact]
    public void Code_configuration_is_validated_too()
    {
        var services = new ServiceCollection();
        services.AddDynamoWriterOptions(o => o.DynamoDB.MaxInFlight = 0);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DynamoWriterOptions>>().Value);
        Assert.Equal("DynamoWriter configuration is invalid (1 error):\n  sc.dynamoDB.maxInFlight: 0 is out of range (1 to 1024)", ex.Message);
    }

    [Fact]
    public void Registering_twice_adds_one_validator()
    {
        var services = new ServiceCollection();
        services.AddDynamoWriterOptions(o => o.Stream.Group = "a");
        services.AddDynamoWriterOptions(o => o.Stream.Consumer = "b");
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IValidateOptions<DynamoWriterOptions>>());
        var options = provider.GetRequiredService<IOptions<DynamoWriterOptions>>().Value;
        Assert.Equal("a", options.Stream.Group);
        Assert.Equal("b", options.Stream.Consumer);
    }

    [Fact]
    public void Load_and_validate_without_a_host()
    {
        var good = ConfigurationLoader.LoadAndValidate(TestConfig.FromYaml("sc: { http: { port: 9090 } }"), out var none);
        Assert.Empty(none);
        Assert.Equal(9090, good.Http.Port);

        var bad = ConfigurationLoader.LoadAndValidate(
            TestConfig.FromYaml("sc: { http: { port: x }, stream: { group: '' } }"),
            out var errors);
        Assert.Equal(
            [new ConfigError("sc.http.port", "'x' is not a whole number"), new ConfigError("sc.stream.group", "must not be empty")],
            errors);
        Assert.Equal(HttpOptions.DefaultPort, bad.Http.Port);
    }
}
