using System.Globalization;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Streaming.Redis.Streams;

/// <summary>Fails the silo at start with every bad option of a provider named at once.</summary>
/// <param name="name">The provider whose options are checked.</param>
/// <param name="reads">False in a client, which only adds entries: then only the connection is checked, since the other options are the readers'.</param>
public sealed class RedisStreamOptionsValidator(string name, bool reads = true) : IValidateOptions<RedisStreamOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, RedisStreamOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        void Fail(string option, string problem) => errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(RedisStreamOptions)}[{name}].{option}: {problem}"));

        if (options.ConfigurationOptions is null && options.CreateMultiplexer is null)
        {
            Fail(nameof(options.ConfigurationOptions), $"set it or {nameof(options.CreateMultiplexer)}");
        }

        if (!reads)
        {
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        if (string.IsNullOrWhiteSpace(options.Group))
        {
            Fail(nameof(options.Group), "must not be empty");
        }

        if (options.Streams is null || options.Streams.Count == 0)
        {
            Fail(nameof(options.Streams), "list at least one stream key or pattern");
        }
        else if (options.Streams.Any(string.IsNullOrWhiteSpace))
        {
            Fail(nameof(options.Streams), "contains an empty key");
        }

        if (options.ReadCount < 1)
        {
            Fail(nameof(options.ReadCount), $"must be at least 1 (is {options.ReadCount})");
        }

        if (options.Queues < 1)
        {
            Fail(nameof(options.Queues), $"must be at least 1 (is {options.Queues})");
        }

        Positive(nameof(options.PollInterval), options.PollInterval);
        Positive(nameof(options.ClaimInterval), options.ClaimInterval);
        Positive(nameof(options.ClaimMinIdle), options.ClaimMinIdle);
        Positive(nameof(options.DiscoverInterval), options.DiscoverInterval);

        if (string.IsNullOrWhiteSpace(options.DeadLetterStream))
        {
            Fail(nameof(options.DeadLetterStream), "must not be empty");
        }
        else if (!options.DeadLetterStream.Contains(RedisStreamOptions.StreamPlaceholder, StringComparison.Ordinal))
        {
            Fail(nameof(options.DeadLetterStream), $"must contain {RedisStreamOptions.StreamPlaceholder}, so each stream has its own dead-letter stream (is '{options.DeadLetterStream}')");
        }

        if (string.IsNullOrWhiteSpace(options.ConsumerPrefix))
        {
            Fail(nameof(options.ConsumerPrefix), "must not be empty");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Positive(string option, TimeSpan value)
        {
            if (value <= TimeSpan.Zero)
            {
                Fail(option, $"must be positive (is {value})");
            }
        }
    }
}
