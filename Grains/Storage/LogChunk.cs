namespace Runnel.Grains.Storage;

/// <summary>
/// A fixed block of segment memory holding whole batches back to back; a batch never spans two chunks, so a
/// batch is always one contiguous <see cref="ReadOnlyMemory{T}"/>. Chunks are never reallocated or moved, which is
/// what lets readers hold slices while the writer appends.
/// </summary>
/// <param name="Buffer">The memory; bytes below the segment's published size are immutable.</param>
/// <param name="StartPosition">The file position of <c>Buffer[0]</c> within the segment file.</param>
internal sealed record LogChunk(byte[] Buffer, long StartPosition);
