using System.Buffers.Binary;
using Runnel.Records;

namespace Runnel.Client.Compression;

/// <summary>
/// Compression of whole record batches on top of <see cref="RecordBatchBuilder"/> (which encodes the records) and
/// <see cref="RecordBatchCompression"/> (the codecs, shared with the silo): the uncompressed batch's records region
/// is compressed, the header's length and codec bits are updated and the CRC-32C recomputed.
/// </summary>
internal static class BatchCodec
{
    /// <summary>
    /// Compresses the uncompressed batch in <paramref name="batch"/> (exactly one batch) in place when that makes
    /// it smaller, and returns its new length. <paramref name="level"/> is on the codec's scale; null is its default.
    /// </summary>
    public static int Compress(Span<byte> batch, CompressionCodec codec, int? level)
    {
        if (codec == CompressionCodec.None)
        {
            return batch.Length;
        }

        ReadOnlySpan<byte> records = batch[RecordBatchHeader.Size..];
        using var compressed = new PooledByteBuffer(records.Length);
        RecordBatchCompression.Compress(codec, records, compressed, level);

        int total = RecordBatchHeader.Size + compressed.WrittenCount;
        if (total > batch.Length)
        {
            // Incompressible data is sent uncompressed (as kafka-python does): the codec bits then say none.
            return batch.Length;
        }

        compressed.WrittenSpan.CopyTo(batch[RecordBatchHeader.Size..]);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..], total - RecordBatchHeader.LogOverhead);
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        attributes = (short)((attributes & ~0x07) | (int)codec);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], attributes);
        RecordBatchHeader.WriteCrc(batch[..total]);
        return total;
    }

    /// <summary>
    /// The (decompressed) records region of one batch, ready for <see cref="RecordReader"/>. For a compressed batch
    /// <paramref name="owner"/> holds the pooled buffer behind the result: dispose it once the records are read.
    /// </summary>
    /// <exception cref="InvalidDataException">Damaged compressed data, or more than <paramref name="maxBytes"/> of it decompressed.</exception>
    /// <exception cref="NotSupportedException">An unknown codec.</exception>
    public static ReadOnlyMemory<byte> Records(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, int maxBytes, out PooledByteBuffer? owner)
    {
        ReadOnlyMemory<byte> payload = batch[RecordBatchHeader.Size..header.TotalSize];
        if (header.Compression == CompressionCodec.None)
        {
            owner = null;
            return payload;
        }

        owner = RecordBatchCompression.Decompress(header.Compression, payload.Span, maxBytes);
        return owner.WrittenMemory;
    }
}
