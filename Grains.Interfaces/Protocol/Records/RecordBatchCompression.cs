using System.IO.Compression;

namespace Runnel.Records;

/// <summary>
/// Compression of a batch's records region. Gzip is supported (System.IO.Compression); snappy, lz4 and zstd are not yet
/// and throw <see cref="NotSupportedException"/>. Not a hot path: these allocate.
/// </summary>
public static class RecordBatchCompression
{
    /// <summary>Default cap on decompressed bytes, against decompression bombs.</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>
    /// The records region of <paramref name="batch"/> (one whole batch), decompressed; a copy of it when uncompressed.
    /// Read it with <c>new RecordReader(header, result)</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">The batch is shorter than its header says, the compressed data is damaged, or it inflates past <paramref name="maxDecompressedBytes"/>.</exception>
    /// <exception cref="NotSupportedException">The codec is snappy, lz4, zstd or unknown.</exception>
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

        ReadOnlySpan<byte> payload = batch[RecordBatchHeader.Size..header.TotalSize];
        return header.Compression switch
        {
            CompressionCodec.None => payload.ToArray(),
            CompressionCodec.Gzip => GunzipBounded(payload, maxDecompressedBytes),
            CompressionCodec.Snappy or CompressionCodec.Lz4 or CompressionCodec.Zstd => throw new NotSupportedException(
                $"Record batches compressed with {header.Compression} cannot be decompressed yet; only gzip is supported."),
            _ => throw new NotSupportedException($"Unknown compression codec {(int)header.Compression} in the batch attributes."),
        };
    }

    /// <summary>Compresses a records region with <paramref name="codec"/> (None or Gzip).</summary>
    /// <exception cref="NotSupportedException">Any other codec.</exception>
    public static byte[] Compress(ReadOnlySpan<byte> records, CompressionCodec codec, CompressionLevel level = CompressionLevel.Fastest)
    {
        switch (codec)
        {
            case CompressionCodec.None:
                return records.ToArray();
            case CompressionCodec.Gzip:
                using (var output = new MemoryStream())
                {
                    using (var gzip = new GZipStream(output, level, leaveOpen: true))
                    {
                        gzip.Write(records);
                    }

                    return output.ToArray();
                }

            default:
                throw new NotSupportedException($"Compressing record batches with {codec} is not supported yet; use None or Gzip.");
        }
    }

    private static byte[] GunzipBounded(ReadOnlySpan<byte> payload, int maxBytes)
    {
        try
        {
            using var input = new MemoryStream(payload.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = gzip.Read(buffer)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    throw new InvalidDataException($"The gzip records inflate past {maxBytes} bytes.");
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            throw new InvalidDataException("The gzip records are damaged.", e);
        }
    }
}
