using System.Buffers;
using Runnel.Protocol;

namespace Runnel.Grains.Storage;

/// <summary>
/// The outcome of <see cref="PartitionLog.Read"/>: whole stored batches as slices of the log's own memory, in order.
/// Batches that are contiguous in memory share one slice, so a Fetch response can be written with one copy per slice
/// straight into the socket's pipe (write the length <see cref="SizeInBytes"/>, then each slice). The memory behind
/// the slices is immutable and stays valid as long as the result is held, even if retention removes the segment.
/// </summary>
public readonly record struct LogReadResult(
    ErrorCode Error,
    long HighWatermark,
    long LogStartOffset,
    IReadOnlyList<ReadOnlyMemory<byte>> Slices,
    int SizeInBytes)
{
    private static readonly ReadOnlyMemory<byte>[] s_noSlices = [];

    public bool IsEmpty => SizeInBytes == 0;

    /// <summary>Copies all slices into <paramref name="destination"/> (for callers that want one buffer).</summary>
    public void CopyTo(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        for (int i = 0; i < Slices.Count; i++)
        {
            ReadOnlySpan<byte> slice = Slices[i].Span;
            slice.CopyTo(destination.GetSpan(slice.Length));
            destination.Advance(slice.Length);
        }
    }

    internal static LogReadResult Empty(ErrorCode error, LogView view) =>
        new(error, view.HighWatermark, view.LogStartOffset, s_noSlices, 0);
}
