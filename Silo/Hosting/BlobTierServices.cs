using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;

namespace Runnel.Silo.Hosting;

/// <summary>The host's choice of blob store (<c>--blob-store</c>): Grains knows only IBlobStore, so the choice is made here.</summary>
internal static class BlobTierServices
{
    /// <summary>Registers the store the options name; a bad Azure setting is an <see cref="ArgumentException"/> now, before the silo starts.</summary>
    public static IServiceCollection AddBlobTier(this IServiceCollection services, SiloOptions options)
    {
        if (options.BlobStore != BlobStoreKind.Azure)
        {
            return services.AddLocalFolderBlobStore(options.LocalBlobPath);
        }

        if (string.IsNullOrWhiteSpace(options.BlobConnectionString))
        {
            throw new ArgumentException("--blob-store azure needs --blob-connection-string (RUNNEL_BLOB_CONNECTION_STRING), e.g. UseDevelopmentStorage=true for Azurite on this machine.");
        }

        try
        {
            return services.AddAzureBlobStore(options.ToAzureBlobStoreOptions());
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--blob-store azure: {e.Message}", e);
        }
    }
}
