using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Runnel.Grains.BlobStorage;

/// <summary>How a host makes the local folder store its blob tier (the Azure store has its own, in Runnel.BlobStorage.Azure).</summary>
public static class LocalFolderBlobStoreServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="LocalFolderBlobStore"/> in <paramref name="folder"/> (created when first resolved) as the <see cref="IBlobStore"/>.</summary>
    public static IServiceCollection AddLocalFolderBlobStore(this IServiceCollection services, string folder, LocalFolderBlobStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new LocalFolderBlobStoreOptions();
        options.Validate();
        services.AddSingleton<IBlobStore>(sp => new LocalFolderBlobStore(folder, options, sp.GetService<ILogger<LocalFolderBlobStore>>(), sp.GetService<IMeterFactory>()));
        return services;
    }
}
