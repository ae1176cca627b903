using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>How a host makes the Azure store its blob tier.</summary>
public static class AzureBlobStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="AzureBlobStore"/> as the <see cref="IBlobStore"/>. The options are checked here, at
    /// registration, so a bad connection string stops the host before it starts, with one clear line.
    /// </summary>
    /// <exception cref="ArgumentException">The options are not usable; the message says why.</exception>
    public static IServiceCollection AddAzureBlobStore(this IServiceCollection services, AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<IBlobStore>(sp => new AzureBlobStore(options, sp.GetService<ILogger<AzureBlobStore>>(), sp.GetService<IMeterFactory>()));
        return services;
    }
}
