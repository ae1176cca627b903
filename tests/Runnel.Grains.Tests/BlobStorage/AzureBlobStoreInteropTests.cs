using System.Text.Json;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// <see cref="AzureBlobStore"/> against Azurite beyond the contract: the official JavaScript SDK reads back what
/// it wrote (a second SDK, not the one that wrote), and a wrong account key is refused with a clear error.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreInteropTests
{
    private readonly AzuriteFixture _azurite;

    public AzureBlobStoreInteropTests(AzuriteFixture azurite) => _azurite = azurite;

    [Fact]
    public async Task The_official_javascript_sdk_reads_back_the_same_bytes_and_etags()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string container = AzureBlobStoreContractTests.UniqueContainer();
        await using var store = new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = _azurite.ConnectionString, Container = container });
        var written = new Dictionary<string, (byte[] Content, string ETag)>();
        foreach (var (name, size) in new[] { ("segments/empty", 0), ("segments/one", 1), ("segments/topic-a/0/00000000000000000000.log", 70_000), ("segments/topic-a/0/big.log", 9 * 1024 * 1024 + 17) })
        {
            var content = new byte[size];
            Random.Shared.NextBytes(content);
            written[name] = (content, await store.PutAsync(name, content, BlobCondition.None, cts.Token));
        }

        using var output = new TempDirectory();
        var (exit, stdout, stderr) = await AzuriteFixture.RunNodeScriptAsync("read-back.js", [container, "segments/", output.Path],
            new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = _azurite.ConnectionString }, TimeSpan.FromMinutes(1));

        Assert.True(exit == 0, $"read-back.js exited with {exit}\n{stderr}\n{stdout}");
        var listed = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), listed.Select(b => b.GetProperty("name").GetString()));
        foreach (var blob in listed)
        {
            string name = blob.GetProperty("name").GetString()!;
            byte[] downloaded = await File.ReadAllBytesAsync(Path.Combine(output.Path, blob.GetProperty("file").GetString()!), cts.Token);
            Assert.True(written[name].Content.AsSpan().SequenceEqual(downloaded), $"{name}: the SDK read different bytes");
            Assert.Equal(written[name].Content.Length, blob.GetProperty("size").GetInt64());
            Assert.Equal(written[name].ETag.Trim('"'), blob.GetProperty("etag").GetString()!.Trim('"'));
        }
    }

    [Fact]
    public async Task A_wrong_account_key_is_refused_with_a_clear_403()
    {
        string wrongKey = Convert.ToBase64String(new byte[64]);
        string connectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={wrongKey};BlobEndpoint=http://127.0.0.1:{_azurite.Port}/devstoreaccount1";
        await using var store = new AzureBlobStore(AzureBlobStoreContractTests.Options(connectionString));

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("x", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains(error.ErrorCode, new[] { "AuthenticationFailed", "AuthorizationFailure" }); // Azure's code, Azurite's code
        Assert.Contains("AccountKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_container_creation_a_missing_container_is_a_clear_error()
    {
        await using var store = new AzureBlobStore(AzureBlobStoreContractTests.Options(_azurite.ConnectionString) with { CreateContainerIfMissing = false });

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("x", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("ContainerNotFound", error.ErrorCode);

        // a read must not take a missing container for a missing blob: a silo would think it has no history
        var readError = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetAsync("manifest.json", CancellationToken.None));
        Assert.Equal("ContainerNotFound", readError.ErrorCode);
    }
}
