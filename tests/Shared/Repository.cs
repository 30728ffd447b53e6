namespace DynamoWriter.Tests;

/// <summary>The checkout the tests run from: they read its deployment files, README and configuration.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.StreamWriter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Orleans.StreamWriter.sln not found above {AppContext.BaseDirectory}");
    }
}
