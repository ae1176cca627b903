using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// A real outage, not a scripted one: Azurite is stopped under a store, every call fails with a
/// <see cref="BlobStoreException"/> after exactly the configured attempts (never a false "not found" and never an
/// SDK exception), and once the same Azurite is back on its port and folder the same store carries on with what it
/// had written.
/// </summary>
public sealed class AzureOutageTests
{
    [Fact]
    public async Task Calls_fail_clearly_after_the_configured_retries_and_work_again_when_azurite_is_back()
    {
        using var location = new TempDirectory();
        using var azurite = await AzuriteProcess.StartNewAsync(location.Path);
        using var metrics = new BlobMetricsRecorder();
        var options = AzureBlobStoreContractTests.Options(azurite.ConnectionString) with
        {
            MaxRetries = 2,
            NetworkTimeout = TimeSpan.FromSeconds(5),
        };
        await using var store = new AzureBlobStore(options, meterFactory: metrics);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string etag = await store.PutAsync("kept/blob", "before"u8.ToArray(), BlobCondition.IfNoneMatch, cts.Token);

        await azurite.StopAsync();

        var put = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("new/blob", "during"u8.ToArray(), BlobCondition.None, cts.Token));
        Assert.Equal(0, put.StatusCode);
        Assert.Equal(1 + options.MaxRetries, metrics.Sum("runnel.blob.requests", ("operation", "put"), ("status", "network_error")));
        Assert.Contains("3 attempts", put.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BlobStoreException>(() => store.GetAsync("kept/blob", cts.Token));
        await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync("kept/blob", cts.Token));
        var range = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetRangeAsync("kept/blob", 0, new byte[4], cts.Token));
        Assert.IsNotType<BlobNotFoundException>(range);
        await Assert.ThrowsAsync<BlobStoreException>(() => store.DeleteAsync("kept/blob", etag, cts.Token));
        await Assert.ThrowsAsync<BlobStoreException>(async () =>
        {
            await foreach (var item in store.ListAsync("kept/", cts.Token))
            {
                Assert.Fail($"listed {item.Name} with the service down");
            }
        });

        await azurite.StartAsync();

        var kept = await store.GetAsync("kept/blob", cts.Token);
        Assert.Equal(("before", etag), (System.Text.Encoding.UTF8.GetString(kept!.Content.Span), kept.ETag));
        Assert.Null(await store.GetPropertiesAsync("new/blob", cts.Token));
        await store.PutAsync("kept/blob", "after"u8.ToArray(), BlobCondition.IfMatch(etag), cts.Token);
        Assert.Equal("after", System.Text.Encoding.UTF8.GetString((await store.GetAsync("kept/blob", cts.Token))!.Content.Span));
    }
}
