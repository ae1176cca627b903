namespace Runnel.Grains.Tiering;

/// <summary>How the silo tiers partition logs to its blob store. Every default is documented on its property.</summary>
public sealed record TieringOptions
{
    /// <summary>Memory budget for segment bytes (the hot cache). Default: 25% of the machine's memory, 64 MiB to 8 GiB.</summary>
    public long CacheBytes { get; set; } = Storage.SegmentCache.DefaultBudgetBytes();

    /// <summary>Segment uploads in flight across the whole silo (each partition also uploads in order). Default 2.</summary>
    public int UploadConcurrency { get; set; } = 2;

    /// <summary>How often each partition rolls an idle tail, applies local retention and starts uploads. Default 1 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each partition looks for blobs its manifest does not reference. Default 5 minutes.</summary>
    public TimeSpan CleanerInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An unreferenced blob is deleted only once it is this old, so an upload whose manifest commit is still on its way
    /// (here or on another silo) is never taken for garbage. Default 1 hour.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Bytes per ranged read of a cold segment (local file or blob); the next block is read ahead. Default 4 MiB.</summary>
    public int ColdReadBlockBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How often the topic metadata file is compared with its copy in the blob store. Default 5 s.</summary>
    public TimeSpan MetadataMirrorInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> for values tiering cannot work with.</summary>
    public void Validate()
    {
        if (CacheBytes < 0 || UploadConcurrency < 1 || Interval <= TimeSpan.Zero || CleanerInterval <= TimeSpan.Zero
            || OrphanGracePeriod < TimeSpan.Zero || ColdReadBlockBytes < 64 * 1024 || MetadataMirrorInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("Tiering options: CacheBytes >= 0, UploadConcurrency >= 1, intervals > 0, grace >= 0, ColdReadBlockBytes >= 64 KiB.");
        }
    }
}
