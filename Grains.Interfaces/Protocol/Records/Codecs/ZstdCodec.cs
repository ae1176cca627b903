using ZstdSharp;

namespace Runnel.Records;

/// <summary>
/// Kafka's zstd codec (attribute 4), through ZstdSharp. Written as one frame with its content size, as librdkafka
/// writes it (the Java client streams frames without it; both are read, as are several frames back to back).
/// </summary>
internal static class ZstdCodec
{
    /// <summary>zstd's own default, which librdkafka and the Java client use too.</summary>
    public const int DefaultLevel = 3;

    private const int MaxLevel = 22;

    // A zstd context holds megabytes of tables: one per thread, reused batch after batch, instead of one per batch.
    // Safe because no call below awaits between taking a context and finishing with it.
    [ThreadStatic]
    private static Compressor? s_compressor;

    [ThreadStatic]
    private static Decompressor? s_decompressor;

    public static void Compress(ReadOnlySpan<byte> records, PooledByteBuffer output, int level)
    {
        Compressor compressor = s_compressor ??= new Compressor(DefaultLevel);
        compressor.Level = Math.Clamp(level, Compressor.MinCompressionLevel, MaxLevel);
        Span<byte> destination = output.GetSpan(Compressor.GetCompressBound(records.Length));
        output.Advance(compressor.Wrap(records, destination));
    }

    /// <summary>
    /// zstd walks the frames' headers and block headers (no decompression) for an upper bound of the output: exact
    /// when a frame declares its size, whole blocks (at most 128 KiB each) when not. A bound above the limit is
    /// refused before anything is rented, so a frame declaring gigabytes costs nothing; damaged and truncated frames
    /// fail that walk already. The single-pass decompression then needs no window buffer of its own.
    /// </summary>
    public static void Decompress(ReadOnlySpan<byte> compressed, PooledByteBuffer output)
    {
        ulong bound = Decompressor.GetDecompressedSize(compressed);
        if (bound > (ulong)(output.Limit - output.WrittenCount))
        {
            throw new InvalidDataException($"The zstd data may decompress to {bound} bytes, past the limit of {output.Limit}.");
        }

        Span<byte> destination = output.GetSpan((int)bound)[..(int)bound];
        Decompressor decompressor = s_decompressor ??= new Decompressor();
        output.Advance(decompressor.Unwrap(compressed, destination));
    }
}
