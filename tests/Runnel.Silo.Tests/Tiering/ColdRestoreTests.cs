using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tests;
using Runnel.Grains.Tests.BlobStorage;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Tiering;

/// <summary>
/// The blob tier is enough to bring a partition back: records rolled into many small segments are tiered, the
/// silo's data folder is deleted entirely, and a new silo on an empty folder with the same blob store serves
/// every record from offset 0, in order, at the same offsets (kcat reads it). Once with the local-folder store
/// (its folder outside the data folder) and once with Azure Blob (Azurite).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ColdRestoreTests(AzuriteFixture azurite)
{
    private const int RecordCount = 3000;

    [Fact]
    public async Task LocalFolderStoreRestoresTheWholeHistoryIntoAnEmptyDataFolder()
    {
        using var blobs = new TempDirectory();
        await using var store = new LocalFolderBlobStore(blobs.Path);
        await RestoreAsync(TieringTestSupport.LocalStoreArguments(blobs.Path), store);
    }

    [Fact]
    public async Task AzureStoreRestoresTheWholeHistoryIntoAnEmptyDataFolder()
    {
        string container = "restore-" + Guid.NewGuid().ToString("N")[..12];
        await using var store = new Runnel.Grains.BlobStorage.Azure.AzureBlobStore(new() { ConnectionString = azurite.ConnectionString, Container = container });
        await RestoreAsync(TieringTestSupport.AzureStoreArguments(azurite.ConnectionString, container), store, () => SegmentsParseWithTheAzureSdkAsync(container));
    }

    /// <summary>
    /// What Runnel tiered to Azure is readable by the official SDK: @azure/storage-blob lists the container and
    /// downloads every segment, and the bytes are valid record batches holding all the records.
    /// </summary>
    private async Task SegmentsParseWithTheAzureSdkAsync(string container)
    {
        using var output = new TempDirectory();
        var (exit, stdout, stderr) = await AzuriteFixture.RunNodeScriptAsync("read-back.js", [container, "topics/", output.Path],
            new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString }, TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, $"read-back.js exited with {exit}\n{stderr}\n{stdout}");

        long records = 0;
        int segments = 0;
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var blob = System.Text.Json.JsonDocument.Parse(line);
            if (!blob.RootElement.GetProperty("name").GetString()!.EndsWith(".log", StringComparison.Ordinal))
            {
                continue;
            }

            byte[] segment = await File.ReadAllBytesAsync(Path.Combine(output.Path, blob.RootElement.GetProperty("file").GetString()!));
            var validation = Runnel.Records.RecordBatchValidator.Validate(segment);
            Assert.True(validation.IsValid, $"{blob.RootElement.GetProperty("name").GetString()}: {validation.Message}");
            records += validation.RecordCount;
            segments++;
        }

        Assert.True(segments >= 10, $"the SDK found {segments} segments");
        Assert.Equal(RecordCount, records);
    }

    private static async Task RestoreAsync(string[] siloArguments, IBlobStore store, Func<Task>? checkTieredBlobs = null)
    {
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions { ExtraArguments = siloArguments });
        string topic = TestData.UniqueTopic("restore");
        await TieringTestSupport.CreateTopicAsync(silo, topic, "segment.bytes=16384", "segment.ms=1500");
        var records = TestData.Records("cold", RecordCount);
        await TieringTestSupport.ProduceAsync(silo, topic, records);

        // segment.ms seals the idle tail too, so the whole partition reaches the blob tier.
        var manifest = await TieringTestSupport.WaitForManifestAsync(store, RecordCount, TimeSpan.FromSeconds(60), silo);
        Assert.True(manifest.Segments.Count >= 10, $"expected many segments, the manifest lists {manifest.Segments.Count}");
        Assert.Equal(0, manifest.Segments[0].BaseOffset);
        if (checkTieredBlobs is not null)
        {
            await checkTieredBlobs();
        }

        silo.KillHard();
        Directory.Delete(silo.DataDirectory, recursive: true);
        Directory.CreateDirectory(silo.DataDirectory);
        await silo.StartAsync();

        var consumed = await Kcat.ConsumeAsync(silo, topic);
        TieringTestSupport.AssertRecords(records, consumed, 0, "after restore into an empty data folder");
        var metrics = await silo.GetMetricsAsync();
        Assert.True(metrics.Sum("runnel_log_cold_reads_total", ("tier", "remote")) > 0, "the restored history must have been read from the blob tier");

        // The restored partition takes new records after the tiered ones.
        var more = TestData.Records("after", 10);
        await Kcat.ProduceAsync(silo, topic, more);
        var tail = await Kcat.ConsumeAsync(silo, topic, RecordCount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(10, tail.Count);
        Assert.Equal(RecordCount, tail[0].Offset);
    }
}
