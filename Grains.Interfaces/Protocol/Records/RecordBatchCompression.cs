namespace Runnel.Records;

/// <summary>
/// Compression of a batch's records region (everything after the 61-byte header) with Kafka's four codecs: gzip
/// (System.IO.Compression), snappy (Snappier; raw written, raw and xerial-framed read), lz4 (K4os, LZ4 frames) and
/// zstd (ZstdSharp). Used by Runnel.Client and by the silo. Per batch, not per record: output goes to pooled buffers.
/// <para>
/// Decompression is bounded against bombs: a codec stops as soon as the output would pass the limit, and refuses
/// declared sizes past it before renting room for them. Damaged or truncated input throws
/// <see cref="InvalidDataException"/>, whatever the library underneath throws.
/// </para>
/// </summary>
public static class RecordBatchCompression
{
    /// <summary>Default cap on decompressed bytes, against decompression bombs.</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>The codec's default level: what librdkafka uses (gzip 6, lz4 fast, zstd 3; snappy has no levels).</summary>
    public static int DefaultLevel(CompressionCodec codec) => codec switch
    {
        CompressionCodec.Gzip => GzipCodec.DefaultLevel,
        CompressionCodec.Lz4 => Lz4Codec.DefaultLevel,
        CompressionCodec.Zstd => ZstdCodec.DefaultLevel,
        _ => 0,
    };

    /// <summary>
    /// Appends <paramref name="records"/>, compressed with <paramref name="codec"/>, to <paramref name="output"/>.
    /// <paramref name="level"/> is on the codec's own scale (gzip 0-9, lz4 0-12 where 3 and up is HC, zstd's negative fast levels to 22;
    /// out-of-range values are clamped); null takes <see cref="DefaultLevel"/>. Returns the bytes appended.
    /// </summary>
    /// <exception cref="NotSupportedException"><paramref name="codec"/> is not one of Kafka's codecs.</exception>
    public static int Compress(CompressionCodec codec, ReadOnlySpan<byte> records, PooledByteBuffer output, int? level = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        int start = output.WrittenCount;
        int chosen = level ?? DefaultLevel(codec);
        switch (codec)
        {
            case CompressionCodec.None:
                records.CopyTo(output.GetSpan(records.Length));
                output.Advance(records.Length);
                break;
            case CompressionCodec.Gzip:
                GzipCodec.Compress(records, output, chosen);
                break;
            case CompressionCodec.Snappy:
                SnappyCodec.Compress(records, output);
                break;
            case CompressionCodec.Lz4:
                Lz4Codec.Compress(records, output, chosen);
                break;
            case CompressionCodec.Zstd:
                ZstdCodec.Compress(records, output, chosen);
                break;
            default:
                throw UnknownCodec(codec);
        }

        return output.WrittenCount - start;
    }

    /// <summary><paramref name="records"/> compressed with <paramref name="codec"/>, as a new array.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> records, CompressionCodec codec, int? level = null)
    {
        using var output = new PooledByteBuffer(records.Length / 2);
        Compress(codec, records, output, level);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decompresses a records region compressed with <paramref name="codec"/> into a pooled buffer; dispose it when
    /// the records have been read (<c>new RecordReader(header, result.WrittenSpan)</c>). None is copied as it is.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is empty, damaged or truncated, or decompresses past <paramref name="maxDecompressedBytes"/>.</exception>
    /// <exception cref="NotSupportedException"><paramref name="codec"/> is not one of Kafka's codecs.</exception>
    public static PooledByteBuffer Decompress(CompressionCodec codec, ReadOnlySpan<byte> compressed, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        if (codec > CompressionCodec.Zstd)
        {
            throw UnknownCodec(codec);
        }

        // A batch holds at least one record; no codec turns nothing into one.
        if (compressed.IsEmpty && codec != CompressionCodec.None)
        {
            throw new InvalidDataException($"The {codec} records region is empty.");
        }

        var output = new PooledByteBuffer(0, maxDecompressedBytes);
        try
        {
            switch (codec)
            {
                case CompressionCodec.None:
                    compressed.CopyTo(output.GetSpan(compressed.Length));
                    output.Advance(compressed.Length);
                    break;
                case CompressionCodec.Gzip:
                    GzipCodec.Decompress(compressed, output);
                    break;
                case CompressionCodec.Snappy:
                    SnappyCodec.Decompress(compressed, output);
                    break;
                case CompressionCodec.Lz4:
                    Lz4Codec.Decompress(compressed, output);
                    break;
                default:
                    ZstdCodec.Decompress(compressed, output);
                    break;
            }

            return output;
        }
        catch (Exception e)
        {
            output.Dispose();
            if (e is InvalidDataException or OutOfMemoryException)
            {
                throw;
            }

            // The libraries report damage in their own ways (ZstdException, EndOfStreamException, ArgumentException
            // from a length that does not fit, ...): callers get one exception type for all of it.
            throw new InvalidDataException($"The {codec} records are damaged: {e.Message}", e);
        }
    }

    /// <summary>
    /// The records region of <paramref name="batch"/> (one whole batch), decompressed; a copy of it when uncompressed.
    /// Read it with <c>new RecordReader(header, result)</c>. Allocates the result; see <see cref="Decompress"/> for a pooled one.
    /// </summary>
    /// <exception cref="InvalidDataException">The batch is shorter than its header says, the compressed data is damaged, or it decompresses past <paramref name="maxDecompressedBytes"/>.</exception>
    /// <exception cref="NotSupportedException">The codec bits name no Kafka codec.</exception>
    public static byte[] DecompressRecords(ReadOnlySpan<byte> batch, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        if (batch.Length < RecordBatchHeader.Size)
        {
            throw new InvalidDataException("The span is shorter than a record batch header.");
        }

        var header = RecordBatchHeader.Read(batch);
        if (header.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || header.TotalSize > batch.Length)
        {
            throw new InvalidDataException("The batch length does not fit the span.");
        }

        using PooledByteBuffer records = Decompress(header.Compression, batch[RecordBatchHeader.Size..header.TotalSize], maxDecompressedBytes);
        return records.WrittenSpan.ToArray();
    }

    private static NotSupportedException UnknownCodec(CompressionCodec codec) =>
        new($"Unknown compression codec {(int)codec} in the batch attributes; Kafka's are 0 (none) to 4 (zstd).");
}
