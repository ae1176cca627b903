using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace Runnel.Records;

/// <summary>
/// Kafka's lz4 codec (attribute 3): the LZ4 frame format, through K4os.Compression.LZ4.Streams.
/// <para>
/// Written as the Java client writes it (KafkaLZ4BlockOutputStream): 64 KiB independent blocks, no content size, no
/// checksums. Independent blocks matter: the Java client's reader refuses chained ones, which K4os writes by default.
/// Any frame LZ4 defines is read (chained blocks as python-lz4 writes for kafka-python, content checksums as the lz4
/// npm package writes for kafkajs-lz4), except dictionaries, which no Kafka client uses.
/// </para>
/// <para>
/// The old Kafka lz4 quirk (clients before 0.10 computed the frame header checksum over the magic number too) only
/// ever affected message format v0 (KIP-57 fixed it from v1 on); Runnel reads and writes only record batches v2,
/// whose lz4 frames every client writes correctly, so the header checksum is checked as LZ4 defines it.
/// </para>
/// </summary>
internal static class Lz4Codec
{
    /// <summary>LZ4's fast mode, librdkafka's default; levels 3 to 12 are LZ4 HC (slower, smaller).</summary>
    public const int DefaultLevel = 0;

    private const int MaxLevel = (int)LZ4Level.L12_MAX;

    // One settings object per level, made once: the frame writer only reads them.
    private static readonly LZ4EncoderSettings[] s_settings = Enumerable.Range(0, MaxLevel + 1)
        .Select(level => new LZ4EncoderSettings
        {
            ChainBlocks = false,
            BlockSize = 64 * 1024,
            ContentChecksum = false,
            BlockChecksum = false,
            CompressionLevel = level < (int)LZ4Level.L03_HC ? LZ4Level.L00_FAST : (LZ4Level)level,
        })
        .ToArray();

    public static void Compress(ReadOnlySpan<byte> records, PooledByteBuffer output, int level) =>
        LZ4Frame.Encode(records, output, s_settings[Math.Clamp(level, 0, MaxLevel)]);

    /// <summary>The frame reader pulls blocks as <paramref name="output"/> gives it room, and a bounded buffer stops a bomb.</summary>
    public static void Decompress(ReadOnlySpan<byte> compressed, PooledByteBuffer output) =>
        LZ4Frame.Decode(compressed, output);
}
