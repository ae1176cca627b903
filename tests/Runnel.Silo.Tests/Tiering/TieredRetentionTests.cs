using System.Diagnostics;
using System.Globalization;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tests;
using Runnel.Grains.Tiering;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Tiering;

/// <summary>
/// retention.bytes removes whole segments from both tiers: the earliest offset moves (ListOffsets and the manifest
/// agree), the removed segments' blobs are deleted, a fetch below the start gets OFFSET_OUT_OF_RANGE, and kcat with
/// auto.offset.reset=earliest resumes at the new start with the right records.
/// </summary>
public sealed class TieredRetentionTests
{
    private const int RecordCount = 3000;
    private const short OffsetOutOfRange = 1;

    [Fact]
    public async Task RetentionRemovesSegmentsFromBothTiersAndConsumersResetToTheNewStart()
    {
        using var blobs = new TempDirectory();
        await using var store = new LocalFolderBlobStore(blobs.Path);
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions
        {
            ExtraArguments = TieringTestSupport.LocalStoreArguments(blobs.Path, "--retention-check-interval-ms", "300"),
        });
        string topic = TestData.UniqueTopic("tier-retention");
        string[] configs = ["segment.bytes=16384", "segment.ms=1000", "local.retention.bytes=0"];
        await TieringTestSupport.CreateTopicAsync(silo, topic, configs);
        var records = TestData.Records("ret", RecordCount);
        await TieringTestSupport.ProduceAsync(silo, topic, records);
        TierManifest before = await TieringTestSupport.WaitForManifestAsync(store, RecordCount, TimeSpan.FromSeconds(60), silo);

        await TieringTestSupport.SetTopicConfigsAsync(silo, topic, [.. configs, "retention.bytes=40000"]);
        await using var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort);
        long earliest = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (error, offset) = await connection.ListOffsetAsync(topic, 0, -2);
            Assert.Equal(0, error);
            earliest = offset;
            TierManifest? now = await TieringTestSupport.ReadManifestAsync(store);
            if (earliest > 0 && now?.LogStartOffset == earliest)
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.True(earliest > 0 && earliest < RecordCount, $"retention did not move the earliest offset (it is {earliest})\n{silo.OutputTail()}");
        TierManifest after = (await TieringTestSupport.ReadManifestAsync(store))!;
        Assert.Equal(earliest, after.LogStartOffset);
        Assert.True(after.Segments.Count < before.Segments.Count, "segments must have left the manifest");
        Assert.All(after.Segments, s => Assert.True(s.NextOffset > earliest));

        // The removed segments' blobs go right after the manifest stops listing them.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        List<string> stale;
        do
        {
            stale = (await TieringTestSupport.SegmentBlobsAsync(store, after)).Where(n => LastOffsetOf(n) < earliest).ToList();
            await Task.Delay(stale.Count > 0 ? 250 : 0);
        }
        while (stale.Count > 0 && DateTime.UtcNow < deadline);
        Assert.True(stale.Count == 0, "blobs of expired segments remain: " + string.Join(", ", stale));

        var below = await connection.FetchAsync(topic, 0, 0);
        Assert.Equal(OffsetOutOfRange, below.ErrorCode);

        var consumed = await Kcat.ConsumeAsync(silo, topic, "0", "-X", "auto.offset.reset=earliest");
        Assert.True(consumed.Count > 0 && consumed[0].Offset == earliest, $"kcat resumed at {(consumed.Count > 0 ? consumed[0].Offset : -1)}, expected {earliest}");
        TieringTestSupport.AssertRecords(records, consumed, earliest, "after retention");
    }

    private static long LastOffsetOf(string blobName)
    {
        string file = blobName[(blobName.LastIndexOf('/') + 1)..];
        return long.Parse(file.AsSpan(21, 20), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
