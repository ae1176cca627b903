using System.Diagnostics;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tests;
using Runnel.Grains.Tiering;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Tiering;

/// <summary>
/// Deleting a topic removes its tiered segments and manifest from the blob store, whether or not its partition is
/// open: after a restart nothing has read the partition yet, and its blobs must go all the same (they would
/// otherwise stay forever, referenced by no topic).
/// </summary>
public sealed class TopicDeletionTests
{
    private const int RecordCount = 1000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deleting_a_topic_removes_its_blobs(bool restartFirst)
    {
        using var blobs = new TempDirectory();
        await using var store = new LocalFolderBlobStore(blobs.Path);
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions { ExtraArguments = TieringTestSupport.LocalStoreArguments(blobs.Path) });
        string topic = TestData.UniqueTopic("delete-tiered");
        await TieringTestSupport.CreateTopicAsync(silo, topic, "segment.bytes=16384", "segment.ms=1500");
        await TieringTestSupport.ProduceAsync(silo, topic, TestData.Records("gone", RecordCount));
        TierManifest manifest = await TieringTestSupport.WaitForManifestAsync(store, RecordCount, TimeSpan.FromSeconds(60), silo);
        string prefix = TierBlobNames.PartitionPrefix(manifest.TopicId, manifest.Partition);
        Assert.NotEmpty(await TieringTestSupport.SegmentBlobsAsync(store, manifest));

        if (restartFirst)
        {
            await silo.RestartAsync();
        }

        (await PythonClients.RunAsync(Path.Combine(RepoPaths.PythonScripts, "confluent_client.py"), ["delete", "--bootstrap", silo.BootstrapServers, "--topic", topic]))
            .EnsureSuccess("delete topic");

        List<string> left = await TieringTestSupport.BlobsUnderAsync(store, prefix);
        for (var clock = Stopwatch.StartNew(); left.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(30); left = await TieringTestSupport.BlobsUnderAsync(store, prefix))
        {
            await Task.Delay(200);
        }

        Assert.True(left.Count == 0, $"{left.Count} blobs of the deleted topic are left, e.g. {string.Join(", ", left.Take(3))}\n{silo.OutputTail()}");
    }
}
