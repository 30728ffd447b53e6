using DynamoWriter.Options;

namespace DynamoWriter.Configuration.Tests;

public class OptionsDescriberTests
{
    [Fact]
    public void Describes_every_setting_in_schema_order()
    {
        var lines = OptionsDescriber.Describe(new DynamoWriterOptions());

        Assert.Equal("sc.log.level = info", lines[0]);
        Assert.Contains("sc.stream.redis.address = localhost:6379", lines);
        Assert.Contains("sc.stream.redis.password = ", lines);
        Assert.Contains("sc.stream.streams = [events]", lines);
        Assert.Contains("sc.stream.block = 2s", lines);
        Assert.Contains("sc.stream.consumerExpiry = 1h0m0s", lines);
        Assert.Contains("sc.stream.trimPersisted = false", lines);
        Assert.Contains("sc.stream.deadLetter.stream = {stream}:dlq", lines);
        Assert.Contains("sc.dynamoDB.tables = {}", lines);
        Assert.Contains("sc.dynamoDB.flushInterval = 100ms", lines);
        Assert.Contains("sc.dynamoDB.writePolicy = overwrite", lines);
        Assert.Contains("sc.mapping.format = fields", lines);
        Assert.Contains("sc.http.port = 8080", lines);
        Assert.Contains("sc.stream.pollInterval = 50ms", lines);
        Assert.Equal(
            [
                "sc.orleans.clustering = redis",
                "sc.orleans.clusterId = dynamo-writer",
                "sc.orleans.serviceId = dynamo-writer",
                "sc.orleans.siloPort = 11111",
                "sc.orleans.gatewayPort = 30000",
                "sc.orleans.advertisedAddress = ",
                "sc.orleans.queues = 8",
                "sc.orleans.dashboard = false",
                "sc.orleans.tls.certificatePath = ",
                "sc.orleans.tls.password = ",
            ],
            lines.Where(l => l.StartsWith("sc.orleans.", StringComparison.Ordinal) && !l.StartsWith("sc.orleans.membership.", StringComparison.Ordinal)));
        Assert.Equal("sc.shutdownTimeout = 30s", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("effectiveServer", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(lines.Count, lines.Select(l => l.Split(" = ")[0]).Distinct().Count());
    }

    [Fact]
    public void Passwords_are_masked_user_names_are_not()
    {
        var options = new DynamoWriterOptions();
        options.Stream.Redis.Username = "app";
        options.Stream.Redis.Password = "hunter2";
        options.Stream.Valkey.Password = "s3cret";
        options.DynamoDB.Tables["orders"] = "orders-table";
        options.DynamoDB.WritePolicy = WritePolicy.SkipExisting;
        options.Stream.Streams = ["a", "b"];
        options.Orleans.ClusterId = "prod-eu";
        options.Orleans.Clustering = "localhost";
        options.Orleans.GatewayPort = 0;

        var lines = OptionsDescriber.Describe(options);
        var text = string.Join("\n", lines);

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
        Assert.Contains("sc.stream.redis.password = ***", lines);
        Assert.Contains("sc.stream.valkey.password = ***", lines);
        Assert.Contains("sc.stream.redis.username = app", lines);
        Assert.Contains("sc.dynamoDB.tables.orders = orders-table", lines);
        Assert.Contains("sc.dynamoDB.writePolicy = skip-existing", lines);
        Assert.Contains("sc.stream.streams = [a, b]", lines);
        Assert.Contains("sc.orleans.clusterId = prod-eu", lines);
        Assert.Contains("sc.orleans.clustering = localhost", lines);
        Assert.Contains("sc.orleans.gatewayPort = 0", lines);
        Assert.DoesNotContain(lines, l => l.Contains("usesLocalhostClustering", StringComparison.OrdinalIgnoreCase));
    }
}
