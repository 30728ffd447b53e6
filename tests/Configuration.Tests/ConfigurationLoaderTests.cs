using System.Collections;

namespace DynamoWriter.Configuration.Tests;

public class ConfigurationLoaderTests
{
    private static readonly Hashtable NoEnv = new();

    [Fact]
    public void Explicit_path_wins()
    {
        using var work = new TestConfig.TempDirectory();
        using var app = new TestConfig.TempDirectory();
        work.Write("config/base.yaml", "sc: { stream: { group: working } }");
        var custom = work.Write("custom.yaml", "sc: { stream: { group: explicit } }");

        var root = ConfigurationLoader.Build("custom.yaml", app.Path, out var file, NoEnv, work.Path);

        Assert.Equal(custom, file);
        Assert.Equal("explicit", root["sc:stream:group"]);
    }

    [Fact]
    public void Missing_explicit_file_is_an_error()
    {
        using var work = new TestConfig.TempDirectory();
        var ex = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Build("nope.yaml", work.Path, out _, NoEnv, work.Path));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("--config", error.KeyPath);
        Assert.Equal($"configuration file '{Path.Combine(work.Path, "nope.yaml")}' does not exist", error.Message);
    }

    [Fact]
    public void Working_directory_before_app_directory()
    {
        using var work = new TestConfig.TempDirectory();
        using var app = new TestConfig.TempDirectory();
        var inWork = work.Write("config/base.yaml", "sc: { stream: { group: working } }");
        app.Write("config/base.yaml", "sc: { stream: { group: app } }");

        var root = ConfigurationLoader.Build(null, app.Path, out var file, NoEnv, work.Path);
        Assert.Equal(inWork, file);
        Assert.Equal("working", root["sc:stream:group"]);
    }

    [Fact]
    public void App_directory_when_the_working_directory_has_none()
    {
        using var work = new TestConfig.TempDirectory();
        using var app = new TestConfig.TempDirectory();
        var inApp = app.Write("config/base.yaml", "sc: { stream: { group: app } }");

        var root = ConfigurationLoader.Build("", app.Path, out var file, NoEnv, work.Path);
        Assert.Equal(inApp, file);
        Assert.Equal("app", root["sc:stream:group"]);
    }

    [Fact]
    public void No_file_means_defaults_and_environment()
    {
        using var work = new TestConfig.TempDirectory();
        var root = ConfigurationLoader.Build(null, work.Path, out var file, new Hashtable { ["SC_STREAM_GROUP"] = "env" }, work.Path);

        Assert.Null(file);
        var options = ConfigurationLoader.LoadAndValidate(root, out var errors);
        Assert.Empty(errors);
        Assert.Equal("env", options.Stream.Group);
        Assert.Equal(Options.StreamOptions.DefaultReadCount, options.Stream.ReadCount);
    }

    [Fact]
    public void Environment_overrides_the_file()
    {
        using var work = new TestConfig.TempDirectory();
        work.Write("config/base.yaml", "sc: { stream: { group: file, consumer: file } }");

        var root = ConfigurationLoader.Build(null, work.Path, out _, new Hashtable { ["SC_STREAM_GROUP"] = "env" }, work.Path);
        Assert.Equal("env", root["sc:stream:group"]);
        Assert.Equal("file", root["sc:stream:consumer"]);
    }

    [Fact]
    public void Bad_yaml_in_the_chosen_file_names_it()
    {
        using var work = new TestConfig.TempDirectory();
        var path = work.Write("config/base.yaml", "sc:\n  stream: {\n");

        var ex = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Build(null, work.Path, out _, NoEnv, work.Path));
        Assert.StartsWith(path + ":", Assert.Single(ex.Errors).KeyPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_overload_uses_the_process_directory()
    {
        using var app = new TestConfig.TempDirectory();
        var root = ConfigurationLoader.Build(null, app.Path, new Hashtable { ["SC_HTTP_PORT"] = "1" });
        Assert.Equal("1", root["sc:http:port"]);
    }
}
