using System.Diagnostics.Metrics;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>The blob store contract against <see cref="AzureBlobStore"/> talking to a real Azurite, a new container per test.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreContractTests : BlobStoreContractTests
{
    private readonly AzuriteFixture _azurite;

    public AzureBlobStoreContractTests(AzuriteFixture azurite) => _azurite = azurite;

    internal override Task<IBlobStore> CreateStoreAsync(BlobStoreOptions options, IMeterFactory meterFactory) =>
        Task.FromResult<IBlobStore>(new AzureBlobStore(BlobConnectionString.Parse(_azurite.ConnectionString), UniqueContainer(), options, meterFactory: meterFactory));

    internal static string UniqueContainer() => "t" + Guid.NewGuid().ToString("N")[..20];

    [Fact]
    public async Task Large_puts_go_up_in_blocks_and_small_ones_in_one_request()
    {
        await Store.PutAsync("small", RandomBytes(BlobStoreOptions.DefaultBlockSize), BlobCondition.None, Ct);
        await Store.PutAsync("large", RandomBytes((2 * BlobStoreOptions.DefaultBlockSize) + 1), BlobCondition.None, Ct);

        Assert.Equal(1, Metrics.Sum("runnel.blob.requests", ("operation", "put"), ("status", "ok")));
        Assert.Equal(3, Metrics.Sum("runnel.blob.requests", ("operation", "put_block"), ("status", "ok")));
        Assert.Equal(1, Metrics.Sum("runnel.blob.requests", ("operation", "put_block_list"), ("status", "ok")));
    }
}
