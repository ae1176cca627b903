namespace Runnel.Grains.Storage;

/// <summary>Sparse offset index entry: the batch starting at <paramref name="Position"/> has base offset <paramref name="Offset"/>.</summary>
internal readonly record struct OffsetIndexEntry(long Offset, long Position);

/// <summary>
/// Sparse time index entry: every batch before <paramref name="Position"/> has a max timestamp of at most
/// <paramref name="MaxTimestampBefore"/>, so a search for a later timestamp may start scanning at that position.
/// </summary>
internal readonly record struct TimeIndexEntry(long MaxTimestampBefore, long Position);
