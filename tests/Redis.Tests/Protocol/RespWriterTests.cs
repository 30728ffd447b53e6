using System.Text;
using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis.Tests.Protocol;

[Trait("Category", "Unit")]
public class RespWriterTests
{
    [Fact]
    public void Encodes_a_command_as_an_array_of_bulk_strings()
    {
        using var writer = new RespWriter();
        writer.WriteCommand(["SET", "k\u00e9", ""]);

        Assert.Equal("*3\r\n$3\r\nSET\r\n$3\r\nk\u00e9\r\n$0\r\n\r\n", Encoding.UTF8.GetString(writer.WrittenMemory.Span));
    }

    [Fact]
    public void Appends_commands_and_grows_past_its_initial_size()
    {
        using var writer = new RespWriter(initialSize: 16);
        var big = new string('v', 100_000);
        writer.WriteCommand(["PING"]);
        writer.WriteCommand(["ECHO", big]);

        var text = Encoding.UTF8.GetString(writer.WrittenMemory.Span);
        Assert.Equal("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$100000\r\n" + big + "\r\n", text);

        writer.Reset();
        Assert.Equal(0, writer.Length);
    }

    [Fact]
    public void Round_trips_through_the_reader()
    {
        using var writer = new RespWriter();
        writer.WriteCommand(["XADD", "s", "*", "f", "line\r\nbreak"]);
        using var reader = new RespReader();
        reader.Feed(writer.WrittenMemory.Span);

        Assert.True(reader.TryRead(out var value));
        Assert.Equal(["XADD", "s", "*", "f", "line\r\nbreak"], value.Items.Select(v => v.AsString()));
    }

    [Fact]
    public void Rejects_an_empty_command()
    {
        using var writer = new RespWriter();
        Assert.Throws<ArgumentException>(() => writer.WriteCommand([]));
    }
}
