using System.Reflection;

namespace DynamoWriter.Grains.Tests.Unit;

/// <summary>
/// Orleans names a type or method on the wire by its alias when it has one, else by its full .NET name; an
/// alias lets a rolling upgrade rename or move a type (as <c>StatusReport</c> moved into the abstractions)
/// without breaking silos and clients of the previous version.
/// </summary>
public sealed class AliasTests
{
    private static readonly Assembly Abstractions = typeof(StreamEntry).Assembly;

    public static TheoryData<string> WireTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in Abstractions.GetTypes().Where(IsWireType))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WireTypes))]
    public void Every_grain_interface_and_serialized_type_has_a_dynamo_writer_alias(string typeName)
    {
        var type = Abstractions.GetType(typeName, throwOnError: true)!;

        var alias = type.GetCustomAttribute<AliasAttribute>();

        Assert.True(alias is not null, $"{typeName} has no [Alias]");
        Assert.Equal($"DynamoWriter.{type.Name}", alias.Alias);
    }

    [Fact]
    public void Every_grain_method_has_an_alias()
    {
        var methods = Abstractions.GetTypes().Where(IsGrainInterface).SelectMany(t => t.GetMethods()).ToList();

        Assert.NotEmpty(methods);
        Assert.All(methods, m => Assert.True(m.GetCustomAttribute<AliasAttribute>() is not null, $"{m.DeclaringType!.Name}.{m.Name} has no [Alias]"));
    }

    [Fact]
    public void The_aliases_are_unique()
    {
        var aliases = Abstractions.GetTypes().Where(IsWireType).Select(t => t.GetCustomAttribute<AliasAttribute>()?.Alias).ToList();

        Assert.Equal(aliases.Count, aliases.Distinct().Count());
    }

    private static bool IsWireType(Type type) =>
        !type.IsNested && (IsGrainInterface(type) || type.GetCustomAttribute<GenerateSerializerAttribute>() is not null);

    private static bool IsGrainInterface(Type type) => type.IsInterface && typeof(IAddressable).IsAssignableFrom(type);
}
