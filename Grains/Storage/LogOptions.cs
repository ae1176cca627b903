using Runnel.Grains.Topics;

namespace Runnel.Grains.Storage;

/// <summary>
/// How one partition log rolls, retains, limits and flushes. Defaults match Kafka's topic defaults except
/// <see cref="FlushIntervalMs"/>.
/// </summary>
/// <remarks>
/// Default durability policy: every append is handed to the operating system (a write syscall) before
/// <see cref="PartitionLog.Append"/> returns, so an acknowledged batch survives a crash of the process (kill -9)
/// always. The file is fsynced when the owner calls <see cref="PartitionLog.Flush"/> or
/// <see cref="PartitionLog.FlushIfDue"/>; with the default <see cref="FlushIntervalMs"/> of 1000 ms, a crash of
/// the machine (power loss, kernel panic) loses at most about the last second of acknowledged data. Kafka itself
/// never fsyncs by default and relies on replication instead; a single silo has no replica, hence the interval.
/// </remarks>
public sealed record LogOptions
{
    public static LogOptions Default { get; } = new();

    /// <summary>segment.bytes: a new segment is started when the active one would grow past this size.</summary>
    public long SegmentBytes { get; init; } = TopicConfigCatalog.DefaultSegmentBytes;

    /// <summary>segment.ms: a new segment is started when the active one received its first batch this long ago.</summary>
    public long SegmentMs { get; init; } = TopicConfigCatalog.DefaultSegmentMs;

    /// <summary>retention.ms: sealed segments whose newest timestamp is older than this are deleted; -1 keeps them forever.</summary>
    public long RetentionMs { get; init; } = TopicConfigCatalog.DefaultRetentionMs;

    /// <summary>retention.bytes: oldest sealed segments are deleted while the log stays at least this big; -1 = no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>
    /// local.retention.bytes, resolved: once uploaded to the blob tier, the oldest sealed segments lose their local file
    /// while the local files would still hold at least this much; -1 = no local size limit.
    /// </summary>
    public long LocalRetentionBytes { get; init; } = -1;

    /// <summary>local.retention.ms, resolved: uploaded sealed segments older than this lose their local file; -1 = no time limit.</summary>
    public long LocalRetentionMs { get; init; } = TopicConfigCatalog.DefaultRetentionMs;

    /// <summary>remote.storage.enable: sealed segments are uploaded to the blob tier (when the silo has one). Default true.</summary>
    public bool RemoteStorageEnabled { get; init; } = true;

    /// <summary>max.message.bytes: the largest batch (including its 12-byte log overhead) an append accepts.</summary>
    public int MaxMessageBytes { get; init; } = TopicConfigCatalog.DefaultMaxMessageBytes;

    /// <summary>flush.ms: how often <see cref="PartitionLog.FlushIfDue"/> fsyncs the active segment.</summary>
    public long FlushIntervalMs { get; init; } = TopicConfigCatalog.DefaultFlushMs;

    /// <summary>
    /// After this many appended bytes the OS is asked to start writing them to disk (see <see cref="WritebackHint"/>),
    /// so the periodic fsync finds little left to do and does not stall appends; 0 turns the hint off. Default 1 MiB.
    /// </summary>
    public int WritebackBytes { get; init; } = 1024 * 1024;

    /// <summary>Bytes of batches between two entries of the sparse offset and time indexes of a segment.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>First in-memory chunk of a segment; chunks double up to <see cref="MaxChunkBytes"/> so idle partitions stay small.</summary>
    public int InitialChunkBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// Largest in-memory chunk (a batch bigger than this gets a chunk of its own size). 8 MiB, so a busy partition's
    /// chunks are big enough for huge pages (see <see cref="ChunkMemory"/>); chunks only grow that big after the
    /// segment received as much.
    /// </summary>
    public int MaxChunkBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>The options a topic's configuration asks for.</summary>
    public static LogOptions FromTopicConfig(TopicConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LogOptions
        {
            SegmentBytes = config.SegmentBytes,
            SegmentMs = config.SegmentMs,
            RetentionMs = config.RetentionMs,
            RetentionBytes = config.RetentionBytes,
            MaxMessageBytes = config.MaxMessageBytes,
            FlushIntervalMs = config.FlushMs,
            LocalRetentionBytes = config.EffectiveLocalRetentionBytes,
            LocalRetentionMs = config.EffectiveLocalRetentionMs,
            RemoteStorageEnabled = config.RemoteStorageEnable,
        };
    }
}
