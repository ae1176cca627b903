using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;
using Runnel.Grains.Tiering;

namespace Runnel.Grains.Tests.Tiering;

/// <summary>The manifest's compare-and-swap: conflicts are re-read and reconciled, a change already applied is not written twice.</summary>
public sealed class TierManifestStoreTests : IDisposable
{
    private const string Name = "topics/t/0/manifest.json";
    private readonly TempDirectory _folder = new();
    private readonly LocalFolderBlobStore _store;
    private readonly StorageMetrics _metrics = new();

    public TierManifestStoreTests() => _store = new LocalFolderBlobStore(_folder.Path);

    [Fact]
    public async Task ConcurrentWritersBothLandThroughReReadAndReapply()
    {
        var a = new TierManifestStore(_store, Name, _metrics, NullLogger.Instance);
        var b = new TierManifestStore(_store, Name, _metrics, NullLogger.Instance);
        await a.LoadAsync(CancellationToken.None);
        await b.LoadAsync(CancellationToken.None); // both saw "no manifest"

        await a.CommitAsync(m => m.AddSegments([Segment(0, 100)]), New, CancellationToken.None);
        await b.CommitAsync(m => m.AddSegments([Segment(100, 200)]), New, CancellationToken.None); // If-None-Match fails, re-read, re-apply

        var stored = TierManifest.Parse((await _store.GetAsync(Name, CancellationToken.None))!.Content.Span);
        Assert.Equal([0L, 100L], stored.Segments.Select(s => s.BaseOffset));
    }

    [Fact]
    public async Task AChangeThatAlreadyLandedIsNotWrittenAgain()
    {
        // Models a retry whose first attempt succeeded but whose response was lost: the store holds the change,
        // the writer's ETag is stale, so its condition fails; after re-reading, the change is a no-op.
        var a = new TierManifestStore(_store, Name, _metrics, NullLogger.Instance);
        var stale = new TierManifestStore(_store, Name, _metrics, NullLogger.Instance);
        await a.CommitAsync(m => m.AddSegments([Segment(0, 100)]), New, CancellationToken.None);
        await stale.LoadAsync(CancellationToken.None);
        await a.CommitAsync(m => m.AddSegments([Segment(100, 200)]), New, CancellationToken.None);
        string etag = (await _store.GetPropertiesAsync(Name, CancellationToken.None))!.ETag;

        TierManifest? result = await stale.CommitAsync(m => m.AddSegments([Segment(100, 200)]), New, CancellationToken.None);

        Assert.Equal(2, result!.Segments.Count);
        Assert.Equal(etag, (await _store.GetPropertiesAsync(Name, CancellationToken.None))!.ETag);
    }

    [Fact]
    public void SegmentsAreListedByRangeAndAReplacementReplacesWhatItCovers()
    {
        var manifest = New();
        manifest.AddSegments([Segment(0, 100), Segment(100, 250), Segment(250, 300)]);

        // A compacted segment (fewer records, gaps) covering the first two replaces both; names differ by CRC.
        var compacted = Segment(0, 250, crc: 0xabcdef01);
        Assert.True(manifest.AddSegments([compacted]));
        Assert.Equal([compacted.Object, manifest.Segments[1].Object], manifest.Segments.Select(s => s.Object));
        Assert.False(manifest.AddSegments([compacted])); // idempotent

        List<TierManifestSegment> removed = manifest.AdvanceLogStart(260);
        Assert.Single(removed);
        Assert.Equal(260, manifest.LogStartOffset);
    }

    public void Dispose()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _metrics.Dispose();
        _folder.Dispose();
    }

    private static TierManifest New() => new() { Topic = "t", TopicId = Guid.Empty, Partition = 0 };

    private static TierManifestSegment Segment(long baseOffset, long nextOffset, uint crc = 1)
    {
        string name = TierBlobNames.Segment("topics/t/0/", baseOffset, nextOffset - 1, crc);
        return new TierManifestSegment
        {
            BaseOffset = baseOffset,
            LastOffset = nextOffset - 1,
            NextOffset = nextOffset,
            SizeBytes = 10,
            Crc32C = crc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
            Object = name,
            Index = TierBlobNames.Index(name),
        };
    }
}
