using DynamoWriter.Configuration;
using DynamoWriter.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class DynamoWriterOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="DynamoWriterOptions"/> from <paramref name="section"/> (the <c>sc</c> section)
    /// with <see cref="OptionsBinder"/> and validates on start. An invalid configuration makes the host
    /// fail to start with an <see cref="OptionsValidationException"/> whose message lists every error
    /// (see <see cref="ConfigurationException.Format"/>).
    /// </summary>
    public static OptionsBuilder<DynamoWriterOptions> AddDynamoWriterOptions(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var builder = AddCore(services);
        builder.Configure<OptionsBindingErrors>((options, errors) =>
            errors.Set(OptionsBinder.Bind(section, options, DynamoWriterOptions.SectionName)));
        return builder;
    }

    /// <summary>Configures the options in code (tests, tools); validated the same way.</summary>
    public static OptionsBuilder<DynamoWriterOptions> AddDynamoWriterOptions(this IServiceCollection services, Action<DynamoWriterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services).Configure(configure);
    }

    private static OptionsBuilder<DynamoWriterOptions> AddCore(IServiceCollection services)
    {
        services.TryAddSingleton<OptionsBindingErrors>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamoWriterOptions>, DynamoWriterOptionsValidator>());
        return services.AddOptions<DynamoWriterOptions>().ValidateOnStart();
    }
}
