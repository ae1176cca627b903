using System.Diagnostics.Metrics;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>The blob store contract against <see cref="LocalFolderBlobStore"/> in a fresh temporary folder.</summary>
public sealed class LocalFolderBlobStoreContractTests : BlobStoreContractTests, IDisposable
{
    private readonly TempDirectory _folder = new();

    internal override Task<IBlobStore> CreateStoreAsync(int listPageSize, IMeterFactory meterFactory) =>
        Task.FromResult<IBlobStore>(new LocalFolderBlobStore(_folder.Path, new LocalFolderBlobStoreOptions { ListPageSize = listPageSize }, meterFactory: meterFactory));

    public void Dispose() => _folder.Dispose();
}
