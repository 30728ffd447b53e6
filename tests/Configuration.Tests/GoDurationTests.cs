namespace DynamoWriter.Configuration.Tests;

public class GoDurationTests
{
    public static TheoryData<string, long> Valid => new()
    {
        { "0", 0 },
        { "0s", 0 },
        { "+0", 0 },
        { "-0", 0 },
        { "-0s", 0 },
        { "10s", TimeSpan.FromSeconds(10).Ticks },
        { "250ms", TimeSpan.FromMilliseconds(250).Ticks },
        { "1m30s", TimeSpan.FromSeconds(90).Ticks },
        { "1h", TimeSpan.FromHours(1).Ticks },
        { "1.5h", TimeSpan.FromMinutes(90).Ticks },
        { "300us", TimeSpan.FromMicroseconds(300).Ticks },
        { "300\u00b5s", TimeSpan.FromMicroseconds(300).Ticks },
        { "300\u03bcs", TimeSpan.FromMicroseconds(300).Ticks },
        { "200ns", 2 },
        { "2ns", 1 },          // below one tick, but positive stays positive
        { "149ns", 1 },
        { "150ns", 2 },        // rounds to the nearest tick
        { "1h2m3s4ms5us600ns", new TimeSpan(0, 1, 2, 3, 4, 5).Ticks + 6 },
        { ".5s", TimeSpan.FromMilliseconds(500).Ticks },
        { "1.s", TimeSpan.FromSeconds(1).Ticks },
        { "+5s", TimeSpan.FromSeconds(5).Ticks },
        { " 2s ", TimeSpan.FromSeconds(2).Ticks },
        { "1m1m", TimeSpan.FromMinutes(2).Ticks },
        { "00:00:10", TimeSpan.FromSeconds(10).Ticks },
        { "01:30:00", TimeSpan.FromMinutes(90).Ticks },
        { "1.02:03:04", new TimeSpan(1, 2, 3, 4).Ticks },
        { "00:00:00.250", TimeSpan.FromMilliseconds(250).Ticks },
        { "2562047h", TimeSpan.FromHours(2562047).Ticks },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_go_and_timespan_forms(string text, long expectedTicks)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(expectedTicks, value.Ticks);
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), GoDuration.Parse(text));
    }

    [Theory]
    [InlineData("fast", "is not a duration (use Go style such as 2s, 250ms, 1m30s)")]
    [InlineData("", "is not a duration")]
    [InlineData("   ", "is not a duration")]
    [InlineData("s", "is not a duration")]
    [InlineData(".s", "is not a duration")]
    [InlineData("1..5s", "is not a duration")]
    [InlineData("-", "is not a duration")]
    [InlineData("5", "the number needs a unit")]
    [InlineData("1m30", "the number needs a unit")]
    [InlineData("2 s", "unknown unit ' s'")]
    [InlineData("5d", "unknown unit 'd'")]
    [InlineData("5S", "unknown unit 'S'")]
    [InlineData("-5s", "is negative")]
    [InlineData("-1m30s", "is negative")]
    [InlineData("-00:00:10", "is negative")]
    [InlineData("99:99:99", "is not a duration")]
    [InlineData("2562048h", "is too large")]
    [InlineData("99999999999999999999999999999999s", "is too large")]
    [InlineData("2562047h47m16.854775808s", "is too large")]
    public void Rejects_with_a_clear_message(string text, string expected)
    {
        Assert.False(GoDuration.TryParse(text, out var value, out var error));
        Assert.Equal(TimeSpan.Zero, value);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith($"'{text}'", error, StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => GoDuration.Parse(text));
        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void Null_is_not_a_duration()
    {
        Assert.False(GoDuration.TryParse(null, out _, out var error));
        Assert.Contains("is not a duration", error, StringComparison.Ordinal);
    }

    public static TheoryData<long, string> Formats => new()
    {
        // Expected strings are what Go's time.Duration.String() prints for the same value.
        { 0, "0s" },
        { 1, "100ns" },
        { 10, "1µs" },
        { 15, "1.5µs" },
        { TimeSpan.FromMilliseconds(250).Ticks, "250ms" },
        { TimeSpan.FromMilliseconds(1.5).Ticks, "1.5ms" },
        { TimeSpan.FromSeconds(2).Ticks, "2s" },
        { TimeSpan.FromMilliseconds(2500).Ticks, "2.5s" },
        { TimeSpan.FromSeconds(90).Ticks, "1m30s" },
        { TimeSpan.FromMinutes(1).Ticks, "1m0s" },
        { TimeSpan.FromHours(1).Ticks, "1h0m0s" },
        { TimeSpan.FromMinutes(90).Ticks, "1h30m0s" },
        { new TimeSpan(1, 0, 0, 1).Ticks, "24h0m1s" },
        { TimeSpan.FromSeconds(1).Ticks + 1, "1.0000001s" },
        { -TimeSpan.FromSeconds(5).Ticks, "-5s" },
        { -1, "-100ns" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Formats_like_go(long ticks, string expected)
    {
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromTicks(ticks)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(15L)]
    [InlineData(123_456_789L)]
    [InlineData(36_000_000_001L)]
    [InlineData(long.MaxValue / 100)]
    public void Format_parses_back(long ticks)
    {
        var value = TimeSpan.FromTicks(ticks);
        Assert.Equal(value, GoDuration.Parse(GoDuration.Format(value)));
    }

    [Fact]
    public void Max_value_is_gos_limit()
    {
        Assert.Equal("2562047h47m16.8547758s", GoDuration.Format(GoDuration.MaxValue));
        Assert.Equal(GoDuration.MaxValue, GoDuration.Parse("2562047h47m16.854775807s"));
    }

    [Fact]
    public void Format_handles_the_largest_timespan()
    {
        // TimeSpan.MaxValue in nanoseconds overflows 64 bits; formatting must not.
        Assert.EndsWith("s", GoDuration.Format(TimeSpan.MaxValue), StringComparison.Ordinal);
        Assert.StartsWith("-", GoDuration.Format(TimeSpan.MinValue), StringComparison.Ordinal);
    }
}
