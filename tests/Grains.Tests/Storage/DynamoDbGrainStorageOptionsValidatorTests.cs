using DynamoWriter.Grains.Storage;

namespace DynamoWriter.Grains.Tests.Storage;

public sealed class DynamoDbGrainStorageOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(DynamoDbGrainStorageOptionsValidator.Validate(new DynamoDbGrainStorageOptions()));
        new DynamoDbGrainStorageOptionsValidator(new DynamoDbGrainStorageOptions(), "s").ValidateConfiguration();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("ab")]
    [InlineData("bad name!")]
    public void A_bad_table_name_is_reported(string table)
    {
        var problems = DynamoDbGrainStorageOptionsValidator.Validate(new DynamoDbGrainStorageOptions { TableName = table });

        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Contains(nameof(DynamoDbGrainStorageOptions.TableName), p, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new DynamoDbGrainStorageOptions
        {
            TableName = "x",
            KeyFor = null!,
            MaxAttempts = 0,
            RetryBaseDelay = TimeSpan.Zero,
            RetryMaxDelay = TimeSpan.FromMilliseconds(-1),
            TableActiveTimeout = TimeSpan.Zero,
        };

        var ex = Assert.Throws<OrleansConfigurationException>(() => new DynamoDbGrainStorageOptionsValidator(options, "checkpoints").ValidateConfiguration());

        Assert.Equal(6, DynamoDbGrainStorageOptionsValidator.Validate(options).Count);
        foreach (var name in new[] { "checkpoints", "TableName", "KeyFor", "MaxAttempts", "RetryBaseDelay", "RetryMaxDelay", "TableActiveTimeout" })
        {
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }
    }
}
