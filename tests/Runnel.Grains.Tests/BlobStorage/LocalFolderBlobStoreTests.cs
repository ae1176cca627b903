using Microsoft.Extensions.DependencyInjection;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>What <see cref="LocalFolderBlobStore"/> guarantees beyond the contract: its file layout and its lock across instances.</summary>
public sealed class LocalFolderBlobStoreTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task Two_store_instances_on_one_folder_still_have_one_compare_and_swap_winner()
    {
        await using var first = new LocalFolderBlobStore(_folder.Path);
        await using var second = new LocalFolderBlobStore(_folder.Path);
        string etag = await first.PutAsync("manifest", "0"u8.ToArray(), BlobCondition.None, CancellationToken.None);

        for (int round = 0; round < 10; round++)
        {
            string expected = etag;
            var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                var store = i % 2 == 0 ? first : second;
                try
                {
                    return await store.PutAsync("manifest", new[] { (byte)i }, BlobCondition.IfMatch(expected), CancellationToken.None);
                }
                catch (BlobConditionFailedException)
                {
                    return null;
                }
            }));
            var winners = (await Task.WhenAll(attempts)).Where(e => e is not null).ToList();

            Assert.Single(winners);
            etag = winners[0]!;
            Assert.Equal(etag, (await second.GetPropertiesAsync("manifest", CancellationToken.None))!.ETag);
        }
    }

    [Fact]
    public async Task Blobs_are_files_under_their_name_with_no_staging_file_left()
    {
        await using var store = new LocalFolderBlobStore(_folder.Path);
        await store.PutAsync("topics/orders/0/00000000.log", "segment"u8.ToArray(), BlobCondition.None, CancellationToken.None);

        string path = Path.Combine(_folder.Path, "topics", "orders", "0", "00000000.log");
        Assert.True(File.Exists(path));
        Assert.Equal("segment", System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(path).AsSpan(32)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder.Path, ".runnel", "staging")));
    }

    [Fact]
    public async Task Deleting_the_last_blob_of_a_folder_removes_the_folder_so_the_name_is_free_again()
    {
        await using var store = new LocalFolderBlobStore(_folder.Path);
        await store.PutAsync("a/b/c", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None);

        await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("a/b", "y"u8.ToArray(), BlobCondition.None, CancellationToken.None));
        Assert.True(await store.DeleteAsync("a/b/c", null, CancellationToken.None));

        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "a")));
        await store.PutAsync("a/b", "y"u8.ToArray(), BlobCondition.None, CancellationToken.None);
        await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("a/b/c", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None));
    }

    [Fact]
    public async Task Files_the_store_did_not_write_are_refused_on_read()
    {
        await using var store = new LocalFolderBlobStore(_folder.Path);
        File.WriteAllText(_folder.Combine("foreign.txt"), "not a blob");

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetAsync("foreign.txt", CancellationToken.None));

        Assert.Contains("not a Runnel blob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_condition_leaves_no_staging_file_and_the_old_content()
    {
        await using var store = new LocalFolderBlobStore(_folder.Path);
        await store.PutAsync("once", "first"u8.ToArray(), BlobCondition.IfNoneMatch, CancellationToken.None);

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => store.PutAsync("once", new MemoryStream(new byte[100_000]), BlobCondition.IfNoneMatch, CancellationToken.None));

        Assert.Empty(Directory.GetFiles(Path.Combine(_folder.Path, ".runnel", "staging")));
        Assert.Equal("first", System.Text.Encoding.UTF8.GetString((await store.GetAsync("once", CancellationToken.None))!.Content.Span));
    }

    [Fact]
    public async Task A_host_registers_the_local_store_as_the_blob_tier()
    {
        await using var services = new ServiceCollection().AddLocalFolderBlobStore(_folder.Path).BuildServiceProvider();

        Assert.IsType<LocalFolderBlobStore>(services.GetService(typeof(IBlobStore)));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddLocalFolderBlobStore(_folder.Path, new LocalFolderBlobStoreOptions { ListPageSize = 0 }));
    }

    public void Dispose() => _folder.Dispose();
}
