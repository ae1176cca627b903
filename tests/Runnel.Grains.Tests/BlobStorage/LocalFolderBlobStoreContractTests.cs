using System.Diagnostics.Metrics;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>The blob store contract against <see cref="LocalFolderBlobStore"/> in a fresh temporary folder.</summary>
public sealed class LocalFolderBlobStoreContractTests : BlobStoreContractTests, IDisposable
{
    private readonly TempDirectory _folder = new();

    internal override Task<IBlobStore> CreateStoreAsync(BlobStoreOptions options, IMeterFactory meterFactory) =>
        Task.FromResult<IBlobStore>(new LocalFolderBlobStore(_folder.Path, options, meterFactory: meterFactory));

    public void Dispose() => _folder.Dispose();
}
