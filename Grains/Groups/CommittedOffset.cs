namespace Runnel.Grains.Groups;

/// <summary>A committed offset as stored in the offsets topic: offset, leader epoch, metadata and commit time (Unix ms).</summary>
public sealed record CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestampMs);
