using System.Buffers.Binary;
using Runnel.Records;

namespace Runnel.Client.Compression;

/// <summary>
/// Compression of whole record batches on top of <see cref="RecordBatchBuilder"/> (which encodes the records) and
/// <see cref="RecordBatchCompression"/> (gzip): the uncompressed batch's records region is compressed, the header's
/// length and codec bits are updated and the CRC-32C recomputed. Decompression adds snappy (raw and xerial).
/// </summary>
internal static class BatchCodec
{
    /// <summary>
    /// Compresses the uncompressed batch in <paramref name="batch"/> (exactly one batch) in place when that makes
    /// it smaller, and returns its new length. Snappy and gzip are supported.
    /// </summary>
    public static int Compress(Span<byte> batch, CompressionCodec codec)
    {
        if (codec == CompressionCodec.None)
        {
            return batch.Length;
        }

        ReadOnlySpan<byte> records = batch[RecordBatchHeader.Size..];
        byte[] compressed = codec switch
        {
            CompressionCodec.Snappy => SnappyCodec.Compress(records),
            CompressionCodec.Gzip => RecordBatchCompression.Compress(records, CompressionCodec.Gzip),
            _ => throw new NotSupportedException($"Producing {codec}-compressed batches is not supported; use None, Gzip or Snappy."),
        };

        int total = RecordBatchHeader.Size + compressed.Length;
        if (total > batch.Length)
        {
            // Kafka lets a batch be marked compressed only if it is; incompressible data is sent uncompressed.
            return batch.Length;
        }

        compressed.CopyTo(batch[RecordBatchHeader.Size..]);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..], total - RecordBatchHeader.LogOverhead);
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        attributes = (short)((attributes & ~0x07) | (int)codec);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], attributes);
        RecordBatchHeader.WriteCrc(batch[..total]);
        return total;
    }

    /// <summary>The (decompressed) records region of one batch, ready for <see cref="RecordReader"/>.</summary>
    /// <exception cref="InvalidDataException">Damaged compressed data.</exception>
    /// <exception cref="NotSupportedException">lz4, zstd or an unknown codec.</exception>
    public static ReadOnlyMemory<byte> Records(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, int maxBytes)
    {
        ReadOnlyMemory<byte> payload = batch[RecordBatchHeader.Size..header.TotalSize];
        return header.Compression switch
        {
            CompressionCodec.None => payload,
            CompressionCodec.Gzip => RecordBatchCompression.DecompressRecords(batch.Span[..header.TotalSize], maxBytes),
            CompressionCodec.Snappy => SnappyCodec.Decompress(payload.Span, maxBytes),
            _ => throw new NotSupportedException($"Record batches compressed with {header.Compression} cannot be read by Runnel.Client; only none, gzip and snappy are supported."),
        };
    }
}
