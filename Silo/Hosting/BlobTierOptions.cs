using Microsoft.Extensions.Options;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;

namespace Runnel.Silo.Hosting;

/// <summary>
/// Which blob store holds the tiered log (section BlobStore). The Azure store's own options bind from the section
/// BlobStore:Azure (<see cref="AzureBlobStoreOptions"/>).
/// </summary>
public sealed class BlobTierOptions
{
    /// <summary>The store: a local folder or Azure Blob Storage. Default local (<c>--blob-store</c>).</summary>
    public BlobStoreKind Kind { get; set; } = BlobStoreKind.Local;

    /// <summary>Folder of the local store. Default <c>blobs</c> under the data folder (<c>--blob-path</c>); made absolute at start.</summary>
    public string? LocalPath { get; set; }
}

/// <summary>The Azure store's options are checked only when the silo uses it, with the store's own rules.</summary>
internal sealed class AzureBlobStoreOptionsValidator(IOptions<BlobTierOptions> tier) : IValidateOptions<AzureBlobStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (tier.Value.Kind != BlobStoreKind.Azure)
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail("--blob-store azure needs --blob-connection-string (RUNNEL_BLOB_CONNECTION_STRING), e.g. UseDevelopmentStorage=true for Azurite on this machine.");
        }

        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"--blob-store azure: {ex.Message}");
        }
    }
}
