using Amazon.DynamoDBv2;
using DynamoWriter.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;

namespace DynamoWriter.Grains.Hosting;

/// <summary>Registers a <see cref="DynamoDbGrainStorage"/> as a named (keyed) Orleans grain storage.</summary>
public static class DynamoDbGrainStorageExtensions
{
    /// <summary>Adds the DynamoDB grain storage <paramref name="name"/> to the silo.</summary>
    public static ISiloBuilder AddDynamoDbGrainStorage(this ISiloBuilder builder, string name, Action<DynamoDbGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDynamoDbGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds the DynamoDB grain storage <paramref name="name"/>, options validated at silo start.</summary>
    public static IServiceCollection AddDynamoDbGrainStorage(this IServiceCollection services, string name, Action<DynamoDbGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DynamoDbGrainStorageOptions>(name).Configure(configure);
        services.AddTransient<IConfigurationValidator>(sp =>
            new DynamoDbGrainStorageOptionsValidator(sp.GetRequiredService<IOptionsMonitor<DynamoDbGrainStorageOptions>>().Get(name), name));
        services.ConfigureNamedOptionForLogging<DynamoDbGrainStorageOptions>(name);
        return services.AddGrainStorage(name, Create);
    }

    private static DynamoDbGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<DynamoDbGrainStorageOptions>>().Get(name);
        var client = options.ClientFactory?.Invoke(services) ?? services.GetRequiredService<IAmazonDynamoDB>();
        return new DynamoDbGrainStorage(
            name,
            options,
            client,
            services.GetRequiredService<ILogger<DynamoDbGrainStorage>>(),
            services.GetService<IActivatorProvider>(),
            services.GetService<TimeProvider>());
    }
}
