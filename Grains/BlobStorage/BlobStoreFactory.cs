using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Runnel.Grains.BlobStorage;

/// <summary>Builds the store <see cref="BlobStoreOptions.Kind"/> names, from the rest of the options.</summary>
public static class BlobStoreFactory
{
    /// <exception cref="ArgumentException">The options do not describe a usable store.</exception>
    /// <exception cref="FormatException">The Azure connection string is malformed.</exception>
    public static IBlobStore Create(BlobStoreOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        switch (options.Kind)
        {
            case BlobStoreKind.Local:
                return new LocalFolderBlobStore(options.LocalPath, options, loggerFactory.CreateLogger<LocalFolderBlobStore>(), meterFactory);
            case BlobStoreKind.Azure:
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new ArgumentException("BlobStoreOptions.ConnectionString is required for the Azure blob store.", nameof(options));
                }

                var account = BlobConnectionString.Parse(options.ConnectionString);
                return new AzureBlobStore(account, options.Container, options, loggerFactory.CreateLogger<AzureBlobStore>(), meterFactory);
            default:
                throw new ArgumentException($"Unknown blob store kind {options.Kind}.", nameof(options));
        }
    }
}
