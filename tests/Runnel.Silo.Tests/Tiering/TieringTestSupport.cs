using System.Diagnostics;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tiering;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Tiering;

/// <summary>Shared steps of the silo-level tiering tests: topics with small segments, waiting for the manifest, blob listings.</summary>
internal static class TieringTestSupport
{
    /// <summary>
    /// Silo arguments for a local-folder blob store at <paramref name="blobPath"/> (outside the data folder), with a
    /// fast tiering tick unless <paramref name="more"/> sets its own (the silo refuses an option given twice).
    /// </summary>
    public static string[] LocalStoreArguments(string blobPath, params string[] more) =>
        ["--blob-store", "local", "--blob-path", blobPath, .. FastTick(more), .. more];

    public static string[] AzureStoreArguments(string connectionString, string container, params string[] more) =>
        ["--blob-store", "azure", "--blob-connection-string", connectionString, "--blob-container", container, .. FastTick(more), .. more];

    private static string[] FastTick(string[] more) => more.Contains("--tier-interval-ms") ? [] : ["--tier-interval-ms", "200"];

    /// <summary>Creates a one-partition topic and sets its configs with the legacy AlterConfigs (confluent-kafka).</summary>
    public static async Task CreateTopicAsync(SiloProcess silo, string topic, params string[] configs)
    {
        await using (var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            await connection.CreateTopicOrFailAsync(topic);
        }

        await SetTopicConfigsAsync(silo, topic, configs);
    }

    /// <summary>Replaces the topic's configs (legacy AlterConfigs: the given set becomes the whole set).</summary>
    public static async Task SetTopicConfigsAsync(SiloProcess silo, string topic, params string[] configs)
    {
        var args = new List<string> { Path.Combine(RepoPaths.PythonScripts, "confluent_client.py"), "alter", "--bootstrap", silo.BootstrapServers, "--topic", topic };
        foreach (var config in configs)
        {
            args.Add("--set");
            args.Add(config);
        }

        var result = await RunningProcess.RunAsync(PythonClients.Python, args, timeout: TimeSpan.FromSeconds(90));
        result.EnsureSuccess("alter configs failed");
    }

    /// <summary>kcat -P of keyed records in small batches (many segments with a small segment.bytes).</summary>
    public static Task ProduceAsync(SiloProcess silo, string topic, IReadOnlyList<ExpectedRecord> records) =>
        Kcat.ProduceAsync(silo, topic, records, "-X", "linger.ms=5", "-X", "batch.num.messages=50");

    /// <summary>The partition's manifest, found by listing (the topic id is the silo's), or null.</summary>
    public static async Task<TierManifest?> ReadManifestAsync(IBlobStore store, int partition = 0)
    {
        await foreach (var item in store.ListAsync("topics/", CancellationToken.None))
        {
            if (item.Name.EndsWith($"/{partition}/{TierBlobNames.ManifestFileName}", StringComparison.Ordinal))
            {
                var content = await store.GetAsync(item.Name, CancellationToken.None);
                return content is null ? null : TierManifest.Parse(content.Content.Span);
            }
        }

        return null;
    }

    /// <summary>Polls (bounded) until the manifest covers offsets up to <paramref name="endOffset"/>.</summary>
    public static async Task<TierManifest> WaitForManifestAsync(IBlobStore store, long endOffset, TimeSpan limit, SiloProcess silo)
    {
        var clock = Stopwatch.StartNew();
        TierManifest? manifest = null;
        while (clock.Elapsed < limit)
        {
            manifest = await ReadManifestAsync(store);
            if (manifest is not null && manifest.EndOffset >= endOffset)
            {
                return manifest;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"The manifest did not reach offset {endOffset} within {limit} (it ends at {manifest?.EndOffset.ToString(CultureInfo.InvariantCulture) ?? "none"}).\n{silo.OutputTail()}");
        return null!;
    }

    /// <summary>Every blob name under the partition's prefix except the manifest.</summary>
    public static async Task<List<string>> SegmentBlobsAsync(IBlobStore store, TierManifest manifest)
    {
        List<string> names = await BlobsUnderAsync(store, TierBlobNames.PartitionPrefix(manifest.TopicId, manifest.Partition));
        names.RemoveAll(name => name.EndsWith(TierBlobNames.ManifestFileName, StringComparison.Ordinal));
        return names;
    }

    /// <summary>Every blob name under <paramref name="prefix"/>.</summary>
    public static async Task<List<string>> BlobsUnderAsync(IBlobStore store, string prefix)
    {
        var names = new List<string>();
        await foreach (var item in store.ListAsync(prefix, CancellationToken.None))
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>Asserts kcat read offsets first..first+count-1, in order, each with the record produced at it.</summary>
    public static void AssertRecords(IReadOnlyList<ExpectedRecord> expected, IReadOnlyList<ConsumedRecord> consumed, long firstOffset, string context)
    {
        Assert.True(consumed.Count == expected.Count - (int)firstOffset, $"{context}: consumed {consumed.Count} records, expected {expected.Count - firstOffset}.");
        for (int i = 0; i < consumed.Count; i++)
        {
            long offset = firstOffset + i;
            Assert.True(consumed[i].Offset == offset, $"{context}: record {i} has offset {consumed[i].Offset}, expected {offset}.");
            Assert.True(consumed[i].Value == expected[(int)offset].Value, $"{context}: offset {offset} holds '{consumed[i].Value}', expected '{expected[(int)offset].Value}'.");
        }
    }
}
