namespace DynamoWriter.Grains.Tests.Unit;

[Trait("Category", "Unit")]
public class DynamoNumberTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("0.000", "0")]
    [InlineData("0e999999999999", "0")]
    [InlineData("42", "42")]
    [InlineData("+42", "42")]
    [InlineData("-42", "-42")]
    [InlineData("007", "7")]
    [InlineData("1.50", "1.5")]
    [InlineData("15e-1", "1.5")]
    [InlineData("1.5E+3", "1500")]
    [InlineData(".5", "0.5")]
    [InlineData("5.", "5")]
    [InlineData("0.00015", "0.00015")]
    [InlineData("100", "100")]
    [InlineData("1e100", "1E+100")]
    [InlineData("-1.25e-100", "-1.25E-100")]
    [InlineData("1E-130", "1E-130")]
    [InlineData("9.9999999999999999999999999999999999999E+125", "9.9999999999999999999999999999999999999E+125")]
    [InlineData("12345678901234567890123456789012345678", "12345678901234567890123456789012345678")]
    [InlineData("1234567890123456789012345678901234567800000", "1.2345678901234567890123456789012345678E+42")]
    [InlineData("1234567890123456789012345678901234567800", "1234567890123456789012345678901234567800")]
    [InlineData("0.0000000000000000000000000000000000000000000000000001", "1E-52")]
    public void Normalizes_valid_numbers(string input, string expected)
    {
        Assert.True(DynamoNumber.TryNormalize(input, input, out var n, out var error), error);
        Assert.Equal(expected, n);
    }

    [Fact]
    public void Canonical_input_is_returned_without_a_copy()
    {
        var s = new string("123.5".AsSpan());
        Assert.True(DynamoNumber.TryNormalize(s, s, out var n, out _));
        Assert.Same(s, n);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("0x10")]
    [InlineData("1,5")]
    [InlineData("123456789012345678901234567890123456789")] // 39 significant digits
    [InlineData("1E+126")]
    [InlineData("1E-131")]
    [InlineData("9.99E-131")]
    [InlineData("1e999999999999999999")]
    public void Rejects_invalid_numbers(string input)
    {
        Assert.False(DynamoNumber.TryNormalize(input, input, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("1", "2", -1)]
    [InlineData("10", "9", 1)]
    [InlineData("-10", "-9", -1)]
    [InlineData("1.5", "1.50", 0)]
    [InlineData("0", "-1", 1)]
    [InlineData("1E+100", "9E+99", 1)]
    [InlineData("0.001", "0.01", -1)]
    [InlineData("123", "1.23E+2", 0)]
    public void Compares_by_value(string a, string b, int expected)
    {
        Assert.True(DynamoNumber.TryCompare(a, b, out var c));
        Assert.Equal(expected, Math.Sign(c));
    }

    [Fact]
    public void Parses_ascii_json_tokens()
    {
        Assert.True(DynamoNumber.TryNormalize("-12.340e2"u8, out var n, out _));
        Assert.Equal("-1234", n);
    }
}
