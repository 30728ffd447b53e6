namespace DynamoWriter.Grains.Storage;

/// <summary>Fails the silo at start naming every problem of a storage's options at once.</summary>
public sealed class DynamoDbGrainStorageOptionsValidator : IConfigurationValidator
{
    /// <summary>DynamoDB's limits on table names.</summary>
    public const int MinTableNameLength = 3;
    public const int MaxTableNameLength = 255;

    private readonly DynamoDbGrainStorageOptions _options;
    private readonly string _name;

    public DynamoDbGrainStorageOptionsValidator(DynamoDbGrainStorageOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _name = name;
    }

    public void ValidateConfiguration()
    {
        var problems = Validate(_options);
        if (problems.Count > 0)
        {
            throw new OrleansConfigurationException(
                $"Invalid configuration for DynamoDB grain storage '{_name}': {string.Join("; ", problems)}");
        }
    }

    /// <summary>Every problem of <paramref name="options"/>, each naming its option; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(DynamoDbGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var table = options.TableName;
        if (string.IsNullOrWhiteSpace(table))
        {
            problems.Add($"{nameof(options.TableName)} is required");
        }
        else
        {
            if (table.Length < MinTableNameLength || table.Length > MaxTableNameLength)
            {
                problems.Add($"{nameof(options.TableName)} '{table}' must be {MinTableNameLength} to {MaxTableNameLength} characters long");
            }

            if (!table.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                problems.Add($"{nameof(options.TableName)} '{table}' may contain only letters, digits, '_', '-' and '.'");
            }
        }

        if (options.KeyFor is null)
        {
            problems.Add($"{nameof(options.KeyFor)} is required");
        }

        if (options.MaxAttempts < 1)
        {
            problems.Add($"{nameof(options.MaxAttempts)} must be at least 1 (was {options.MaxAttempts})");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(options.RetryBaseDelay)} must be positive (was {options.RetryBaseDelay})");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            problems.Add($"{nameof(options.RetryMaxDelay)} ({options.RetryMaxDelay}) must not be below {nameof(options.RetryBaseDelay)} ({options.RetryBaseDelay})");
        }

        if (options.TableActiveTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(options.TableActiveTimeout)} must be positive (was {options.TableActiveTimeout})");
        }

        return problems;
    }
}
