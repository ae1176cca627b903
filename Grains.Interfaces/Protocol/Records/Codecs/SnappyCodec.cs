using System.Buffers.Binary;
using Snappier;

namespace Runnel.Records;

/// <summary>
/// Kafka's snappy codec (attribute 2), through Snappier. Kafka carries snappy in two forms:
/// <list type="bullet">
/// <item>raw: one snappy block, as librdkafka (kcat, confluent-kafka) and kafkajs write it;</item>
/// <item>xerial-framed: what snappy-java's SnappyOutputStream writes for the Java client, and kafka-python too. A
/// 16-byte header (the magic <c>82 'SNAPPY' 00</c>, then int32 version and int32 oldest compatible version, both
/// 1), then chunks of a big-endian int32 length and one raw block.</item>
/// </list>
/// Both are read. Raw is written: every client reads it (snappy-java, kafka-python, kafkajs-snappy and librdkafka
/// fall back to raw when the xerial magic is absent), and it is the smaller of the two.
/// A raw block cannot be mistaken for the xerial form: its first element must be a literal (tag bits 00), and the
/// byte where it would sit in a raw block starting 82 53 is 'N' (0x4E, a copy).
/// </summary>
internal static class SnappyCodec
{
    private const int XerialHeaderSize = 16;

    /// <summary>
    /// A snappy element expands at most 64 bytes out of 2 or 3 (a copy); a block declaring more than this many times
    /// its own size is damaged, and is refused before its declared length is rented.
    /// </summary>
    private const int MaxRatio = 32;

    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public static void Compress(ReadOnlySpan<byte> records, PooledByteBuffer output)
    {
        Span<byte> destination = output.GetSpan(Snappy.GetMaxCompressedLength(records.Length));
        output.Advance(Snappy.Compress(records, destination));
    }

    public static void Decompress(ReadOnlySpan<byte> compressed, PooledByteBuffer output)
    {
        if (compressed.Length >= XerialHeaderSize && compressed.StartsWith(XerialMagic))
        {
            DecompressXerial(compressed[XerialHeaderSize..], output);
        }
        else
        {
            DecompressBlock(compressed, output);
        }
    }

    private static void DecompressXerial(ReadOnlySpan<byte> chunks, PooledByteBuffer output)
    {
        while (!chunks.IsEmpty)
        {
            if (chunks.Length < sizeof(int))
            {
                throw new InvalidDataException("A xerial snappy chunk header is truncated.");
            }

            int size = BinaryPrimitives.ReadInt32BigEndian(chunks);
            if (size <= 0 || size > chunks.Length - sizeof(int))
            {
                throw new InvalidDataException($"A xerial snappy chunk says {size} bytes; {chunks.Length - sizeof(int)} are left.");
            }

            DecompressBlock(chunks.Slice(sizeof(int), size), output);
            chunks = chunks[(sizeof(int) + size)..];
        }
    }

    private static void DecompressBlock(ReadOnlySpan<byte> block, PooledByteBuffer output)
    {
        // The block starts with its decompressed length (a varint): check it before renting room for it. Snappier
        // returns lengths of 2 GiB and more (up to the format's 4 GiB) as negative numbers.
        int length = Snappy.GetUncompressedLength(block);
        if (length < 0 || length > output.Limit - output.WrittenCount)
        {
            throw new InvalidDataException($"The snappy data decompresses past the limit of {output.Limit} bytes.");
        }

        if (length > (long)block.Length * MaxRatio)
        {
            throw new InvalidDataException($"A {block.Length}-byte snappy block cannot hold the {length} bytes it declares.");
        }

        Span<byte> destination = output.GetSpan(length)[..length];
        int written = Snappy.Decompress(block, destination);
        if (written != length)
        {
            throw new InvalidDataException($"A snappy block declared {length} bytes and held {written}.");
        }

        output.Advance(written);
    }
}
