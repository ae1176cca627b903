namespace Runnel.Grains.Storage;

/// <summary>
/// Ranged reads of segments held by the blob tier, for reads below the local start (implemented by the tiering
/// layer over an <c>IBlobStore</c>; the log only knows it as a source of bytes).
/// </summary>
public interface IRemoteSegmentSource
{
    /// <summary>Reads up to <c>destination.Length</c> bytes of the segment from <paramref name="position"/>; returns how many.</summary>
    ValueTask<int> ReadAsync(RemoteCopy copy, long position, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>The segment's index object as written by <see cref="SegmentIndexFile.Write"/>.</summary>
    ValueTask<ReadOnlyMemory<byte>> ReadIndexAsync(RemoteCopy copy, CancellationToken cancellationToken);
}
