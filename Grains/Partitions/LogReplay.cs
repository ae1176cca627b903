using System.Buffers;
using Runnel.Protocol;

namespace Runnel.Grains.Partitions;

/// <summary>
/// Reads a partition's log from its start to its high watermark, a chunk at a time, for the stores that keep their
/// state as records in an internal topic (committed offsets, transaction states) and rebuild it when they open.
/// </summary>
internal static class LogReplay
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Applies the batches of one chunk; advances <paramref name="next"/> past the batches it took; returns records applied.</summary>
    public delegate long ChunkHandler(ReadOnlySpan<byte> batches, ref long next);

    /// <summary>Hands every chunk to <paramref name="handle"/>; stops at the high watermark, at a read error, or when a chunk advances nothing.</summary>
    public static async Task<long> ReplayAsync(IPartitionReader reader, ChunkHandler handle, CancellationToken cancellationToken)
    {
        long next = reader.LogStartOffset;
        long records = 0;
        var buffer = new ArrayBufferWriter<byte>(ChunkBytes);
        while (next < reader.HighWatermark)
        {
            buffer.ResetWrittenCount();
            FetchRead read = await reader.ReadAsync(next, ChunkBytes, allowOversizedFirstBatch: true, buffer, cancellationToken).ConfigureAwait(false);
            if (read.Error != ErrorCode.None || read.BytesWritten == 0)
            {
                break;
            }

            long before = next;
            records += handle(buffer.WrittenSpan, ref next);
            if (next == before)
            {
                break;
            }
        }

        return records;
    }
}
