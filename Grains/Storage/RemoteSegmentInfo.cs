namespace Runnel.Grains.Storage;

/// <summary>
/// A segment the partition's manifest lists, as the log needs it when it opens: its offset range (not assumed
/// dense: <see cref="NextOffset"/> is stored, so compacted segments with gaps fit), size and newest timestamp for
/// retention, and where its bytes are.
/// </summary>
public sealed record RemoteSegmentInfo(
    long BaseOffset,
    long NextOffset,
    long SizeInBytes,
    long MaxTimestamp,
    long OffsetOfMaxTimestamp,
    RemoteCopy Copy);
