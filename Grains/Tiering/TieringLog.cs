using Microsoft.Extensions.Logging;

namespace Runnel.Grains.Tiering;

/// <summary>The tiering layer's log messages.</summary>
internal static partial class TieringLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Tiered {Count} segment(s) of {Topic}/{Partition} up to offset {EndOffset}")]
    public static partial void Uploaded(ILogger logger, int count, string topic, int partition, long endOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tiering of {Topic}/{Partition} failed; it is retried on the next tick")]
    public static partial void TieringFailed(ILogger logger, string topic, int partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Manifest {Name} changed under us (condition failed); re-read and reconciled")]
    public static partial void ManifestConflict(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention moved the remote log start of {Topic}/{Partition} to {LogStart}; {Count} segment(s) deleted from the blob tier")]
    public static partial void RemoteRetention(ILogger logger, string topic, int partition, long logStart, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted orphaned blob {Name} (not in the manifest, older than the grace period)")]
    public static partial void OrphanDeleted(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting blob {Name} failed; the orphan cleaner retries later")]
    public static partial void DeleteFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored the topic metadata from the blob store ({Name}) into the empty data folder")]
    public static partial void MetadataRestored(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirroring the topic metadata to the blob store failed; retried later")]
    public static partial void MirrorFailed(ILogger logger, Exception exception);
}
