using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using DynamoWriter.Tests;

namespace DynamoWriter.Samples.Tests;

/// <summary>
/// <c>dotnet pack</c> of the packable projects (from the build the tests already ran, <c>--no-build</c>)
/// produces packages with a README, the metadata of the README's "Packages" section, and dependencies
/// on one another and on the third-party packages they use.
/// </summary>
[Trait("Category", "Packaging")]
public sealed class PackageTests : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Every packable project, its package id and a tag its package must carry.</summary>
    private static readonly (string Project, string Id, string Tag)[] Packages =
    [
        ("src/Abstractions/DynamoWriter.Abstractions.csproj", "DynamoWriter.Abstractions", "dynamodb"),
        // A general Orleans stream provider: nothing in it is about DynamoDB.
        ("src/Streaming.Redis/DynamoWriter.Streaming.Redis.csproj", "DynamoWriter.Streaming.Redis", "orleans"),
        ("src/Grains/DynamoWriter.Grains.csproj", "DynamoWriter.Grains", "dynamodb"),
        ("src/Configuration/DynamoWriter.Configuration.csproj", "DynamoWriter.Configuration", "dynamodb"),
    ];

    private readonly string _output = Directory.CreateTempSubdirectory("dw-pack-").FullName;

    [Fact]
    public async Task Pack_produces_every_package_with_readme_metadata_and_dependencies()
    {
        var root = Repository.Root;
        var configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        foreach (var (project, _, _) in Packages)
        {
            await RunAsync(root, "pack", Path.Combine(root, project), "-c", configuration, "--no-build", "-o", _output, "-nologo", "-v", "q");
        }

        // Dependencies carry the exact versions Directory.Packages.props pins.
        var pinned = PinnedVersions(root);
        var nuspecs = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var (_, id, tag) in Packages)
        {
            var packages = Directory.GetFiles(_output, $"{id}.*.nupkg").Where(f => !f.EndsWith(".snupkg", StringComparison.Ordinal)
                && System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), $"^{System.Text.RegularExpressions.Regex.Escape(id)}\\.[0-9]")).ToList();
            var nupkg = Assert.Single(packages);
            using var zip = ZipFile.OpenRead(nupkg);
            var nuspecEntry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using (var stream = nuspecEntry.Open())
            {
                var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
                nuspecs[id] = metadata;
            }

            var metadataOf = nuspecs[id];
            string Value(string name) => metadataOf.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

            Assert.Equal(id, Value("id"));
            Assert.Matches(@"^\d+\.\d+\.\d+", Value("version"));
            Assert.Equal("DynamoWriter contributors", Value("authors"));
            Assert.True(Value("description").Length > 40, $"{id}: description too short: '{Value("description")}'");
            Assert.Contains(tag, Value("tags").Split(' '));
            Assert.Equal("MIT", Value("license"));
            Assert.Equal("", Value("repository") + Value("projectUrl"));

            // The README is in the package, named by the nuspec, and is about this package.
            var readme = Value("readme");
            Assert.Equal("PACKAGE.md", readme);
            var readmeEntry = zip.GetEntry(readme);
            Assert.NotNull(readmeEntry);
            using var reader = new StreamReader(readmeEntry.Open());
            var text = await reader.ReadToEndAsync();
            Assert.StartsWith($"# {id}", text, StringComparison.Ordinal);

            Assert.Contains(zip.Entries, e => e.FullName.StartsWith("lib/net10.0/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal));
        }

        // Nothing else is packed: the old engine (DynamoWriter) and RESP client (DynamoWriter.Redis) are gone.
        Assert.Equal(
            ["DynamoWriter.Abstractions", "DynamoWriter.Configuration", "DynamoWriter.Grains", "DynamoWriter.Streaming.Redis"],
            Directory.GetFiles(_output, "*.nupkg").Select(f => System.Text.RegularExpressions.Regex.Replace(Path.GetFileNameWithoutExtension(f), @"\.[0-9].*$", "")).Order(StringComparer.Ordinal));

        // The contracts carry only the Orleans serializer attributes and code generator.
        Assert.Equal(["Microsoft.Orleans.Sdk"], Dependencies(nuspecs["DynamoWriter.Abstractions"]).Keys);
        Assert.Equal(pinned["Microsoft.Orleans.Sdk"], Dependencies(nuspecs["DynamoWriter.Abstractions"])["Microsoft.Orleans.Sdk"]);
        Assert.False(HasAspNetCore(nuspecs["DynamoWriter.Abstractions"]));

        var streaming = Dependencies(nuspecs["DynamoWriter.Streaming.Redis"]);
        Assert.Equal(["DynamoWriter.Abstractions", "Microsoft.Orleans.Server", "Microsoft.Orleans.Streaming", "StackExchange.Redis"], streaming.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(pinned["StackExchange.Redis"], streaming["StackExchange.Redis"]);
        Assert.Equal(pinned["Microsoft.Orleans.Streaming"], streaming["Microsoft.Orleans.Streaming"]);
        Assert.DoesNotContain("AWSSDK.DynamoDBv2", streaming.Keys);

        // The writer: the provider, the configuration binder, DynamoDB and an Orleans silo.
        var grains = Dependencies(nuspecs["DynamoWriter.Grains"]);
        foreach (var id in (string[])["DynamoWriter.Abstractions", "DynamoWriter.Streaming.Redis", "DynamoWriter.Configuration",
            "AWSSDK.DynamoDBv2", "Microsoft.Orleans.Server", "StackExchange.Redis"])
        {
            Assert.Contains(id, grains.Keys);
        }

        Assert.Equal(pinned["AWSSDK.DynamoDBv2"], grains["AWSSDK.DynamoDBv2"]);
        Assert.Equal(pinned["Microsoft.Orleans.Server"], grains["Microsoft.Orleans.Server"]);
        Assert.Equal(Version(nuspecs["DynamoWriter.Streaming.Redis"]), grains["DynamoWriter.Streaming.Redis"]);

        var configurationDependencies = Dependencies(nuspecs["DynamoWriter.Configuration"]);
        Assert.Equal(["DynamoWriter.Abstractions", "YamlDotNet"], configurationDependencies.Keys.Order(StringComparer.Ordinal));

        // The writer and the configuration binder need ASP.NET Core's shared framework (hosting, health checks).
        Assert.True(HasAspNetCore(nuspecs["DynamoWriter.Grains"]));
        Assert.True(HasAspNetCore(nuspecs["DynamoWriter.Configuration"]));
    }

    private static string Version(XElement metadata) => metadata.Elements().Single(e => e.Name.LocalName == "version").Value;

    private static bool HasAspNetCore(XElement metadata) =>
        metadata.Descendants().Any(e => e.Name.LocalName == "frameworkReference" && (string?)e.Attribute("name") == "Microsoft.AspNetCore.App");

    /// <summary>Package id → version range of the net10.0 dependency group.</summary>
    private static Dictionary<string, string> Dependencies(XElement metadata) =>
        metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => ((string?)e.Attribute("version") ?? "").Trim('[', ']', '(', ')').Split(',')[0], StringComparer.Ordinal);

    private static Dictionary<string, string> PinnedVersions(string root) =>
        XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.Ordinal);

    private static async Task RunAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(PackTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish within {PackTimeout.TotalSeconds:F0}s");
        }

        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_output, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
