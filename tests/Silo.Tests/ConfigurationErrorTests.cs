namespace DynamoWriter.Silo.Tests;

public sealed class ConfigurationErrorTests
{
    [Fact]
    public async Task Three_mistakes_are_reported_together_with_key_paths_and_a_non_zero_exit()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SC_DYNAMODB_BATCHSIZE"] = "30",
            ["SC_STREAM_BLOCK"] = "fast",
            ["SC_LOG_LEVEL"] = "loud",
        };
        var (code, output) = await ServiceProcess.RunToEndAsync(env, TimeSpan.FromSeconds(60), "run");
        Assert.NotEqual(0, code);
        Assert.Contains("sc.dynamoDB.batchSize", output, StringComparison.Ordinal);
        Assert.Contains("sc.stream.block", output, StringComparison.Ordinal);
        Assert.Contains("sc.log.level", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_certificate_that_does_not_exist_stops_the_start_with_its_key_path()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SC_ORLEANS_TLS_CERTIFICATEPATH"] = "/nonexistent/cluster.pfx",
            ["SC_LOG_LEVEL"] = "loud",
        };
        var (code, output) = await ServiceProcess.RunToEndAsync(env, TimeSpan.FromSeconds(60), "run");
        Assert.Equal(2, code);
        Assert.Contains("sc.orleans.tls.certificatePath", output, StringComparison.Ordinal);
        Assert.Contains("'/nonexistent/cluster.pfx' does not exist", output, StringComparison.Ordinal);
        Assert.Contains("sc.log.level", output, StringComparison.Ordinal);
    }
}
