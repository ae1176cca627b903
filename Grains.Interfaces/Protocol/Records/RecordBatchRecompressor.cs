namespace Runnel.Records;

/// <summary>
/// A topic's compression.type on the produce path: batches whose codec differs from the topic's are rebuilt with
/// it, as a Kafka broker does. Only the records region and three header fields change (attributes' codec bits,
/// batchLength, CRC-32C); producer id, epoch, sequence, timestamps and offset deltas are kept, so idempotent
/// producers and consumers see the same records. One output buffer per request, one decompression per batch,
/// nothing per record.
/// </summary>
public static class RecordBatchRecompressor
{
    private const int CodecMask = 0x07;

    /// <summary>True when some batch of <paramref name="batches"/> (a validated blob) is not stored with <paramref name="target"/>.</summary>
    public static bool NeedsRecompression(ReadOnlySpan<byte> batches, CompressionCodec target)
    {
        int position = 0;
        while (position <= batches.Length - RecordBatchHeader.Size)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(batches[position..]);
            if (header.Compression != target)
            {
                return true;
            }

            position += header.TotalSize;
        }

        return false;
    }

    /// <summary>
    /// Appends every batch of <paramref name="batches"/> to <paramref name="output"/>, recompressed with
    /// <paramref name="target"/> (at <paramref name="level"/>, null for the codec's default) where its codec differs
    /// and copied as it is where it does not. <paramref name="batches"/> must have passed
    /// <see cref="RecordBatchValidator"/> (framing, CRC, codec bits), so only the compressed contents are new here.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// A compressed batch is damaged, decompresses past <paramref name="maxDecompressedBytes"/>, or its records are
    /// not the recordCount well-framed records its header promises.
    /// </exception>
    public static void Recompress(ReadOnlySpan<byte> batches, CompressionCodec target, int? level, PooledByteBuffer output, int maxDecompressedBytes = RecordBatchCompression.DefaultMaxDecompressedBytes)
    {
        ArgumentNullException.ThrowIfNull(output);
        int position = 0;
        while (position < batches.Length)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(batches[position..]);
            ReadOnlySpan<byte> batch = batches.Slice(position, header.TotalSize);
            position += header.TotalSize;
            if (header.Compression == target)
            {
                batch.CopyTo(output.GetSpan(batch.Length));
                output.Advance(batch.Length);
                continue;
            }

            Rebuild(batch, header, target, level, output, maxDecompressedBytes);
        }
    }

    private static void Rebuild(ReadOnlySpan<byte> batch, in RecordBatchHeader header, CompressionCodec target, int? level, PooledByteBuffer output, int maxDecompressedBytes)
    {
        int start = output.WrittenCount;
        batch[..RecordBatchHeader.Size].CopyTo(output.GetSpan(RecordBatchHeader.Size));
        output.Advance(RecordBatchHeader.Size);

        ReadOnlySpan<byte> region = batch[RecordBatchHeader.Size..];
        if (header.Compression == CompressionCodec.None)
        {
            // Already checked by the validator: uncompressed records are framed on the way in.
            RecordBatchCompression.Compress(target, region, output, level);
        }
        else
        {
            using PooledByteBuffer records = RecordBatchCompression.Decompress(header.Compression, region, maxDecompressedBytes);
            if (RecordFraming.CheckRecords(records.WrittenSpan, header.RecordCount) != RecordValidationFailure.None)
            {
                throw MalformedRecords(header);
            }

            RecordBatchCompression.Compress(target, records.WrittenSpan, output, level);
        }

        Span<byte> rebuilt = output.WrittenSpanToPatch[start..];
        var patched = new RecordBatchHeader
        {
            BaseOffset = header.BaseOffset,
            BatchLength = rebuilt.Length - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch = header.PartitionLeaderEpoch,
            Magic = header.Magic,
            Attributes = (short)(((ushort)header.Attributes & ~CodecMask) | (byte)target),
            LastOffsetDelta = header.LastOffsetDelta,
            BaseTimestamp = header.BaseTimestamp,
            MaxTimestamp = header.MaxTimestamp,
            ProducerId = header.ProducerId,
            ProducerEpoch = header.ProducerEpoch,
            BaseSequence = header.BaseSequence,
            RecordCount = header.RecordCount,
        };
        patched.Write(rebuilt);
        RecordBatchHeader.WriteCrc(rebuilt);
    }

    private static InvalidDataException MalformedRecords(in RecordBatchHeader header) =>
        new($"The {header.Compression} batch does not hold the {header.RecordCount} well-framed records its header declares.");
}
