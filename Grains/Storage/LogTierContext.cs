namespace Runnel.Grains.Storage;

/// <summary>
/// What a log needs from outside its folder when tiering is on: the silo's hot cache, the blob tier to read
/// from, and the segments (and log start) the partition's manifest records.
/// </summary>
public sealed record LogTierContext
{
    public static LogTierContext None { get; } = new();

    /// <summary>The silo-wide memory budget for segments; null keeps every segment in memory (tests, tools).</summary>
    public SegmentCache? Cache { get; init; }

    /// <summary>Reads of segments that exist only in the blob tier; null when there is no blob tier.</summary>
    public IRemoteSegmentSource? Remote { get; init; }

    /// <summary>The manifest's segments, oldest first.</summary>
    public IReadOnlyList<RemoteSegmentInfo> RemoteSegments { get; init; } = [];

    /// <summary>The manifest's log start offset (0 without a manifest).</summary>
    public long RemoteLogStartOffset { get; init; }

    /// <summary>Bytes read per ranged read of a cold segment (file or blob). Default 4 MiB.</summary>
    public int ColdReadBlockBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// A log with no local segment continues at this offset if it is above the manifest's end: a new leader of a
    /// partition starts above every offset its predecessor may have used. Default 0.
    /// </summary>
    public long MinimumNextOffset { get; init; }

    /// <summary>Cold-read latency and bytes; null records nothing.</summary>
    public StorageMetrics? Metrics { get; init; }
}
