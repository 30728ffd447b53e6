namespace DynamoWriter.Redis.Tests.Protocol;

[Trait("Category", "Unit")]
public class RespValueTests
{
    [Fact]
    public void Conversions_follow_the_type()
    {
        Assert.Equal("12", RespValue.CreateInteger(12).AsString());
        Assert.Equal(12, RespValue.CreateBulkString("12").AsInt64());
        Assert.Null(RespValue.Null.AsString());
        Assert.Empty(RespValue.Null.Items);
        Assert.Throws<InvalidCastException>(() => RespValue.CreateBulkString("x").AsInt64());
        Assert.Throws<InvalidCastException>(() => RespValue.CreateArray().AsString());
        Assert.Throws<InvalidCastException>(() => RespValue.CreateInteger(1).Items);
        Assert.Throws<InvalidCastException>(() => RespValue.Null.AsInt64());
    }

    [Fact]
    public void Server_exception_takes_its_code_from_the_first_word()
    {
        Assert.Equal("BUSYGROUP", new RedisServerException("BUSYGROUP Consumer Group name already exists").ErrorCode);
        Assert.Equal("ERR", new RedisServerException("ERR").ErrorCode);
        Assert.Equal("NOGROUP No such key", new RedisServerException("NOGROUP No such key").Message);
    }
}
