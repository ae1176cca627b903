using System.Text.RegularExpressions;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tests;
using Runnel.Grains.Tiering;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Tiering;

/// <summary>
/// SIGKILL while segments are being uploaded, manifests written and local files dropped (fixed seed, 4 kills):
/// every acknowledged record is still there exactly once at its acknowledged offset, with no hole, read back by
/// kcat through both tiers; a blob no manifest references is deleted once older than the grace period.
/// </summary>
public sealed class TieringCrashTests
{
    private static readonly Regex s_ack = new(@"^ACK (\d+) (\d+)$", RegexOptions.Compiled);

    [Fact]
    public async Task AcknowledgedRecordsSurviveSigkillDuringTiering()
    {
        const int kills = 4;
        var random = new Random(7_331);
        using var blobs = new TempDirectory();
        await using var store = new LocalFolderBlobStore(blobs.Path);
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions
        {
            ExtraArguments = TieringTestSupport.LocalStoreArguments(
                blobs.Path, "--tier-interval-ms", "100", "--tier-cleaner-interval-ms", "1000", "--tier-orphan-grace-ms", "3000"),
        });
        string topic = TestData.UniqueTopic("tier-crash");

        // Small segments, and local files dropped as soon as uploaded: every kill lands among uploads and drops.
        await TieringTestSupport.CreateTopicAsync(silo, topic, "segment.bytes=8192", "segment.ms=1000", "local.retention.bytes=0");
        var acknowledged = new Dictionary<long, long>(); // record number -> offset
        for (int run = 0; run <= kills; run++)
        {
            bool last = run == kills;
            using var producer = RunningProcess.Start(PythonClients.Python,
                [Path.Combine(RepoPaths.PythonScripts, "confluent_client.py"), "durable-produce", "--bootstrap", silo.BootstrapServers,
                 "--topic", topic, "--start", (run * 1_000_000L).ToString(CultureInfo.InvariantCulture), "--count", last ? "2000" : "200000"],
                RepoPaths.PythonScripts, new Dictionary<string, string?> { ["PYTHONUNBUFFERED"] = "1" });
            ProcessResult result;
            if (last)
            {
                result = await producer.WaitForExitAsync(TimeSpan.FromSeconds(180));
                Assert.True(result.ExitCode == 0 && result.StdoutLines.Contains("DONE"), "final producer run failed\n" + result.Describe() + "\n" + silo.OutputTail());
            }
            else
            {
                bool acked = await producer.WaitForLineAsync(l => l.StartsWith("ACK ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
                Assert.True(acked, $"run {run}: nothing acknowledged\n{(await producer.KillAndCollectAsync()).Describe()}\n{silo.OutputTail()}");
                await Task.Delay(TimeSpan.FromMilliseconds(1000 + random.Next(2500)));
                silo.KillHard();
                result = await producer.KillAndCollectAsync();
            }

            foreach (string line in result.StdoutLines)
            {
                var match = s_ack.Match(line);
                if (match.Success)
                {
                    long number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    Assert.True(acknowledged.TryAdd(number, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)), $"record {number} acknowledged twice");
                }
            }

            if (!last)
            {
                await silo.StartAsync();
            }
        }

        long end = acknowledged.Values.Max() + 1;
        TierManifest manifest = await TieringTestSupport.WaitForManifestAsync(store, end, TimeSpan.FromSeconds(60), silo);

        // A blob left by an upload whose manifest commit never happened: the cleaner must take it after the grace period.
        string orphan = TierBlobNames.Segment(TierBlobNames.PartitionPrefix(manifest.TopicId, 0), 90_000_000, 90_000_099, 0xdeadbeef);
        await store.PutAsync(orphan, new byte[] { 1, 2, 3 }, BlobCondition.None, CancellationToken.None);

        var consumed = await Kcat.ConsumeAsync(silo, topic);
        Assert.True(consumed.Count == end, $"the log holds {consumed.Count} records, offsets up to {end - 1} were acknowledged");
        var keyAtOffset = new Dictionary<long, string>();
        for (int i = 0; i < consumed.Count; i++)
        {
            Assert.True(consumed[i].Offset == i, $"hole or reorder at position {i}: offset {consumed[i].Offset}");
            keyAtOffset[consumed[i].Offset] = consumed[i].Key!;
        }

        var seen = new HashSet<string>();
        foreach (var record in consumed)
        {
            Assert.True(seen.Add(record.Key!), $"record {record.Key} is in the log twice");
        }

        foreach ((long number, long offset) in acknowledged)
        {
            Assert.True(keyAtOffset.TryGetValue(offset, out string? key) && key == number.ToString(CultureInfo.InvariantCulture),
                $"acknowledged record {number} is not at its offset {offset} (found '{key}')");
        }

        var metrics = await silo.GetMetricsAsync();
        Assert.True(metrics.Sum("runnel_log_cold_reads_total", ("tier", "remote")) > 0, "local files were dropped, so kcat must have read from the blob tier");

        // Bounded wait for the sweep: afterwards every blob but the manifest is one the manifest lists.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        List<string> unreferenced;
        do
        {
            await Task.Delay(500);
            manifest = (await TieringTestSupport.ReadManifestAsync(store))!;
            unreferenced = (await TieringTestSupport.SegmentBlobsAsync(store, manifest)).Where(n => !manifest.References(n)).ToList();
        }
        while (unreferenced.Count > 0 && DateTime.UtcNow < deadline);
        Assert.True(unreferenced.Count == 0, "unreferenced blobs were not cleaned up: " + string.Join(", ", unreferenced) + "\n" + silo.OutputTail());
        Assert.Null(await store.GetPropertiesAsync(orphan, CancellationToken.None));
    }
}
