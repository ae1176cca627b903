using System.Diagnostics.Metrics;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>The blob store contract against <see cref="AzureBlobStore"/> talking to a real Azurite, a new container per test.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreContractTests : BlobStoreContractTests
{
    private readonly AzuriteFixture _azurite;

    public AzureBlobStoreContractTests(AzuriteFixture azurite) => _azurite = azurite;

    internal override Task<IBlobStore> CreateStoreAsync(int listPageSize, IMeterFactory meterFactory) =>
        Task.FromResult<IBlobStore>(new AzureBlobStore(Options(_azurite.ConnectionString) with { ListPageSize = listPageSize }, meterFactory: meterFactory));

    /// <summary>Options for a new container; retries short, so that a test of a fault does not wait for the defaults.</summary>
    internal static AzureBlobStoreOptions Options(string connectionString) => new()
    {
        ConnectionString = connectionString,
        Container = UniqueContainer(),
        RetryDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    internal static string UniqueContainer() => "t" + Guid.NewGuid().ToString("N")[..20];

    [Fact]
    public async Task Large_puts_go_up_in_blocks_and_small_ones_in_one_request()
    {
        // the SDK puts in one request what is smaller than the threshold (4 MiB), anything else in blocks of 4 MiB
        await Store.PutAsync("small", RandomBytes(BlockSize - 1), BlobCondition.None, Ct);
        await Store.PutAsync("small-stream", new MemoryStream(RandomBytes(BlockSize - 1)), BlobCondition.None, Ct);
        await Store.PutAsync("large", RandomBytes((2 * BlockSize) + 1), BlobCondition.None, Ct);

        Assert.Equal(2, Metrics.Sum("runnel.blob.requests", ("operation", "put"), ("status", "ok")));
        Assert.Equal(3, Metrics.Sum("runnel.blob.requests", ("operation", "put_block"), ("status", "ok")));
        Assert.Equal(1, Metrics.Sum("runnel.blob.requests", ("operation", "put_block_list"), ("status", "ok")));
    }

    [Fact]
    public async Task A_block_upload_from_a_stream_commits_under_its_condition()
    {
        string first = await Store.PutAsync("cas/large", new MemoryStream(RandomBytes((2 * BlockSize) + 1)), BlobCondition.IfNoneMatch, Ct);

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.PutAsync("cas/large", new MemoryStream(RandomBytes((2 * BlockSize) + 1)), BlobCondition.IfNoneMatch, Ct));
        string second = await Store.PutAsync("cas/large", new MemoryStream(RandomBytes((2 * BlockSize) + 1)), BlobCondition.IfMatch(first), Ct);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.PutAsync("cas/large", new MemoryStream(RandomBytes((2 * BlockSize) + 1)), BlobCondition.IfMatch(first), Ct));

        Assert.Equal(second, (await Store.GetPropertiesAsync("cas/large", Ct))!.ETag);
        Assert.Equal(2, Metrics.Sum("runnel.blob.requests", ("operation", "put_block_list"), ("status", "condition_failed")));
    }
}
