using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Metadata;
using Runnel.Grains.Storage;
using Runnel.Grains.Tests.BlobStorage;
using Runnel.Grains.Tiering;
using Runnel.Grains.Topics;

namespace Runnel.Grains.Tests.Tiering;

/// <summary>
/// A partition log over both tiers with a real blob store: sealed segments are uploaded and listed, local files
/// dropped, every offset still reads the same bytes (now from the blob tier), a log opened on an empty folder
/// continues from the manifest, DeleteRecords reaches the manifest and the blobs, and orphans are swept.
/// </summary>
public abstract class TieredLogTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly StorageMetrics _metrics = new();
    private readonly TopicMetadata _topic = new("orders", Guid.NewGuid(), 1, TopicConfig.Default);
    private readonly LogOptions _options = new() { SegmentBytes = 4096, LocalRetentionBytes = 0, RetentionMs = -1, LocalRetentionMs = -1, IndexIntervalBytes = 512 };

    protected abstract IBlobStore Store { get; }

    [Fact]
    public async Task EveryOffsetReadsTheSameBytesFromTheBlobTierAndAfterARestoreIntoAnEmptyFolder()
    {
        TieredStorage storage = NewStorage(TimeSpan.FromHours(1));
        PartitionTiering tiering = storage.CreatePartition(_topic, 0);
        using PartitionLog log = PartitionLog.Open(_data.Combine("a"), _options, await tiering.LoadAsync(CancellationToken.None));
        tiering.Attach(log);
        for (int i = 0; i < 120; i++)
        {
            Assert.True(log.Append(TestBatches.Make(records: 5, valueSize: 40), leaderEpoch: 0).IsSuccess);
        }

        byte[] hot = await ReadAllAsync(log, 0);
        long sealedEnd = log.PublishedSegments[^1].BaseOffset;
        await tiering.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, log.GetTierTotals().LagSegments);
        TierManifest manifest = tiering.Manifest!;
        Assert.Equal(sealedEnd, manifest.EndOffset);
        Assert.True(manifest.Segments.Count >= 5, $"{manifest.Segments.Count} segments");

        // Local retention 0: every uploaded file goes; the cache keeps nothing sealed (budget 1 byte).
        Assert.Equal(manifest.Segments.Count, log.DropLocalCopies());
        storage.Cache.EvictIfOverBudget();
        Assert.Equal(1, log.GetTierTotals().HotSegments); // only the active segment, always hot
        Assert.Equal(hot, await ReadAllAsync(log, 0));
        Assert.Equal(0, log.OffsetForTimestamp(PartitionLog.EarliestTimestamp).Offset);

        // A new log on an empty folder: history from the manifest, offsets continue after it.
        PartitionTiering restoredTiering = storage.CreatePartition(_topic, 0);
        using PartitionLog restored = PartitionLog.Open(_data.Combine("empty"), _options, await restoredTiering.LoadAsync(CancellationToken.None));
        Assert.Equal(sealedEnd, restored.HighWatermark);
        Assert.Equal(hot.AsSpan(0, (int)SizeBelow(log, sealedEnd)).ToArray(), await ReadAllAsync(restored, 0));
        var mid = await restored.ReadAsync(301, 100, allowOversizedFirstBatch: true, CancellationToken.None);
        Assert.True(TestBatches.ParseAll(mid.ReadAll())[0].BaseOffset <= 301);

        await restoredTiering.DisposeAsync();
        await tiering.DisposeAsync();
    }

    [Fact]
    public async Task DeleteRecordsMovesTheManifestStartAndDeletesBlobsAndTheCleanerSweepsOrphans()
    {
        TieredStorage storage = NewStorage(TimeSpan.Zero);
        PartitionTiering tiering = storage.CreatePartition(_topic, 0);
        using PartitionLog log = PartitionLog.Open(_data.Combine("b"), _options, await tiering.LoadAsync(CancellationToken.None));
        tiering.Attach(log);
        for (int i = 0; i < 60; i++)
        {
            log.Append(TestBatches.Make(records: 5, valueSize: 40), leaderEpoch: 0);
        }

        await tiering.RunOnceAsync(CancellationToken.None);
        string prefix = TierBlobNames.PartitionPrefix(_topic.TopicId, 0);
        string orphan = TierBlobNames.Segment(prefix, 5_000, 5_099, 0xdeadbeef);
        await Store.PutAsync(orphan, new byte[] { 1 }, BlobCondition.None, CancellationToken.None);

        Assert.Equal(ErrorCodeNone, log.DeleteRecordsBefore(150).Error);
        await tiering.RunOnceAsync(CancellationToken.None);
        await Task.Delay(20);
        await tiering.RunOnceAsync(CancellationToken.None); // the cleaner's first turn comes one interval after start

        TierManifest manifest = tiering.Manifest!;
        Assert.Equal(150, manifest.LogStartOffset);
        Assert.All(manifest.Segments, s => Assert.True(s.NextOffset > 150));
        var names = new List<string>();
        await foreach (BlobItem item in Store.ListAsync(prefix, CancellationToken.None))
        {
            names.Add(item.Name);
        }

        Assert.DoesNotContain(orphan, names);
        Assert.All(names, n => Assert.True(n.EndsWith(TierBlobNames.ManifestFileName, StringComparison.Ordinal) || manifest.References(n), $"{n} is not referenced"));
        Assert.Equal(Protocol.ErrorCode.OffsetOutOfRange, (await log.ReadAsync(0, 1000, true, CancellationToken.None)).Error);
        await tiering.DisposeAsync();
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _data.Dispose();
        GC.SuppressFinalize(this);
    }

    private const Protocol.ErrorCode ErrorCodeNone = Protocol.ErrorCode.None;

    private TieredStorage NewStorage(TimeSpan grace)
    {
        var options = new TieringOptions { CacheBytes = 1, ColdReadBlockBytes = 64 * 1024, OrphanGracePeriod = grace, CleanerInterval = TimeSpan.FromMilliseconds(1) };
        var mirror = new MetadataMirror(Store, Options.Create(new BrokerOptions { DataPath = _data.Path }), options, NullLogger<MetadataMirror>.Instance);
        return new TieredStorage(Store, options, new SegmentCache(options.CacheBytes), _metrics, mirror, NullLoggerFactory.Instance);
    }

    private static long SizeBelow(PartitionLog log, long offset)
    {
        long size = 0;
        foreach (LogSegment segment in log.PublishedSegments)
        {
            size += segment.NextOffset <= offset ? segment.SizeInBytes : 0;
        }

        return size;
    }

    /// <summary>Reads from <paramref name="offset"/> to the high watermark in fetch-sized steps, as a consumer would.</summary>
    private static async Task<byte[]> ReadAllAsync(PartitionLog log, long offset)
    {
        var all = new List<byte>();
        while (offset < log.HighWatermark)
        {
            LogReadResult read = await log.ReadAsync(offset, 1500, allowOversizedFirstBatch: true, CancellationToken.None);
            Assert.Equal(Protocol.ErrorCode.None, read.Error);
            Assert.False(read.IsEmpty, $"nothing read at offset {offset}");
            byte[] bytes = read.ReadAll();
            all.AddRange(bytes);
            offset = TestBatches.ParseAll(bytes)[^1].LastOffset + 1;
        }

        return [.. all];
    }
}

public sealed class LocalFolderTieredLogTests : TieredLogTests
{
    private readonly TempDirectory _blobs = new();
    private readonly LocalFolderBlobStore _store;

    public LocalFolderTieredLogTests() => _store = new LocalFolderBlobStore(_blobs.Path);

    protected override IBlobStore Store => _store;
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureTieredLogTests(AzuriteFixture azurite) : TieredLogTests
{
    private readonly IBlobStore _store = new Runnel.Grains.BlobStorage.Azure.AzureBlobStore(new()
    {
        ConnectionString = azurite.ConnectionString,
        Container = "tiered-" + Guid.NewGuid().ToString("N")[..12],
    });

    protected override IBlobStore Store => _store;
}
