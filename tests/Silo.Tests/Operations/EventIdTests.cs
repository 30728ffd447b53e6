using System.Reflection;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>Log event ids are what alerts and searches key on: one id, one event, across every assembly of ours.</summary>
[Trait("Category", "Unit")]
public sealed class EventIdTests
{
    [Fact]
    public void Every_logged_event_of_ours_has_an_id_of_its_own()
    {
        var assemblies = new[]
        {
            typeof(Program).Assembly,                                                // the executable
            typeof(DynamoWriter.Grains.Writer.WriterContext).Assembly,              // grains, storage, operations
            typeof(DynamoWriter.Streaming.Redis.Hosting.ClientBuilderExtensions).Assembly, // the stream provider
        };
        var events = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        Assert.True(events.Count > 50, $"only {events.Count} logged events found");
        var shared = events.GroupBy(e => e.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}").ToList();
        Assert.True(shared.Count == 0, "event ids used twice:\n" + string.Join('\n', shared));
    }
}
