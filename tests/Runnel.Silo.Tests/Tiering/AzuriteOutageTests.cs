using System.Diagnostics;
using System.Text;
using Runnel.Grains.BlobStorage.Azure;
using Runnel.Grains.Tests;
using Runnel.Grains.Tests.BlobStorage;
using Runnel.Grains.Tiering;
using Runnel.Records;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Tiering;

/// <summary>
/// A real blob-service outage under a running silo (--blob-store azure): Azurite is stopped while segments are
/// being uploaded and stays away for a while, during which kcat keeps producing and reading everything back from
/// the hot and local tiers; then the same Azurite comes back on the same port and data folder. Uploads resume,
/// and the blob tier ends up with every produced record exactly once: the manifest lists dense segments from 0 to
/// the end, every blob under the partition is one the manifest lists, and the records in the blobs are the ones
/// produced, at their offsets.
/// </summary>
public sealed class AzuriteOutageTests
{
    private const int OutageRounds = 3;

    [Fact]
    public async Task UploadsResumeAfterAzuriteComesBackAndTheSiloServesThroughout()
    {
        using var location = new TempDirectory();
        using var azurite = await AzuriteProcess.StartNewAsync(location.Path);
        string container = "outage-" + Guid.NewGuid().ToString("N")[..12];

        // Short retries, so that a failed upload is reported to the tiering loop in about a second and retried on its ticks.
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions
        {
            ExtraArguments = TieringTestSupport.AzureStoreArguments(azurite.ConnectionString, container,
                "--blob-max-retries", "2", "--blob-retry-delay-ms", "100", "--blob-retry-max-delay-ms", "500", "--blob-network-timeout-ms", "5000"),
        });
        await using var store = new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString, Container = container });
        string topic = TestData.UniqueTopic("outage");
        await TieringTestSupport.CreateTopicAsync(silo, topic, "segment.bytes=8192", "segment.ms=1000");

        // Stop Azurite as soon as the first segments are listed, while the rest of the batch is still going up.
        var produced = TestData.Records("before", 1500);
        await TieringTestSupport.ProduceAsync(silo, topic, produced);
        await TieringTestSupport.WaitForManifestAsync(store, 1, TimeSpan.FromSeconds(60), silo);
        await azurite.StopAsync();
        double failedBefore = (await silo.GetMetricsAsync()).Sum("runnel_blob_requests_total", ("status", "network_error"));

        for (int round = 0; round < OutageRounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var batch = TestData.Records($"outage{round}", 300);
            await TieringTestSupport.ProduceAsync(silo, topic, batch);
            produced.AddRange(batch);
            var consumed = await Kcat.ConsumeAsync(silo, topic);
            TieringTestSupport.AssertRecords(produced, consumed, 0, $"outage round {round}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"outage round {round}: produce and consume took {clock.Elapsed}\n{silo.OutputTail()}");
            silo.AssertAlive($"outage round {round}");
            await Task.Delay(1500); // let the tiering ticks try (and fail) to upload the new segments
        }

        var during = await silo.GetMetricsAsync();
        Assert.True(during.Sum("runnel_blob_requests_total", ("status", "network_error")) > failedBefore, "no blob request failed during the outage: were uploads attempted?\n" + silo.OutputTail());
        Assert.True(during.Sum("runnel_log_tier_upload_lag_segments") > 0, "no segment waits for the blob tier during the outage");

        await azurite.StartAsync();
        var manifest = await TieringTestSupport.WaitForManifestAsync(store, produced.Count, TimeSpan.FromSeconds(90), silo);

        AssertDenseFromZero(manifest, produced.Count);
        var blobs = await TieringTestSupport.SegmentBlobsAsync(store, manifest);
        var listed = manifest.Segments.SelectMany(s => new[] { s.Object, s.Index }).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(listed, blobs.Order(StringComparer.Ordinal).ToList());
        long next = 0;
        foreach (var segment in manifest.Segments)
        {
            var content = await store.GetAsync(segment.Object, CancellationToken.None);
            Assert.True(content is not null, $"the manifest lists {segment.Object}, which is not in the container");
            foreach (var (offset, key, value) in Records(content.Content.Span))
            {
                Assert.True(offset == next, $"{segment.Object}: offset {offset} where {next} was expected (a hole or a duplicate)");
                Assert.True((key, value) == (produced[(int)offset].Key, produced[(int)offset].Value), $"{segment.Object}: offset {offset} holds '{key}', produced '{produced[(int)offset].Key}'");
                next++;
            }
        }

        Assert.Equal(produced.Count, next);
        TieringTestSupport.AssertRecords(produced, await Kcat.ConsumeAsync(silo, topic), 0, "after the outage");
    }

    private static void AssertDenseFromZero(TierManifest manifest, long end)
    {
        long expected = 0;
        foreach (var segment in manifest.Segments)
        {
            Assert.True(segment.BaseOffset == expected, $"the manifest's segment {segment.Object} starts at {segment.BaseOffset}, expected {expected}");
            expected = segment.NextOffset;
        }

        Assert.Equal(end, expected);
    }

    /// <summary>Every record of an (uncompressed, as kcat produces here) segment: offset, key and value.</summary>
    private static List<(long Offset, string Key, string Value)> Records(ReadOnlySpan<byte> segment)
    {
        var records = new List<(long, string, string)>();
        foreach (var batch in new RecordBatchEnumerator(segment))
        {
            foreach (var record in new RecordReader(batch.Bytes))
            {
                records.Add((record.Offset, Encoding.UTF8.GetString(record.Key), Encoding.UTF8.GetString(record.Value)));
            }
        }

        return records;
    }
}
