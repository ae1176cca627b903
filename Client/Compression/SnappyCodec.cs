using System.Buffers.Binary;

namespace Runnel.Client.Compression;

/// <summary>
/// Snappy for Kafka record batches. Written as raw snappy (one block, what librdkafka and the Java client's
/// current versions produce and every client reads). Read as either raw snappy or the xerial framing older Java
/// clients wrote: an 8-byte magic <c>82 'SNAPPY' 00</c>, two int32 versions, then (int32 length, raw block) chunks.
/// </summary>
internal static class SnappyCodec
{
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    private const int XerialHeaderSize = 16;

    public static byte[] Compress(ReadOnlySpan<byte> data) => IronSnappy.Snappy.Encode(data);

    /// <exception cref="InvalidDataException">The data is neither valid raw nor valid xerial-framed snappy, or inflates past <paramref name="maxBytes"/>.</exception>
    public static byte[] Decompress(ReadOnlySpan<byte> data, int maxBytes)
    {
        try
        {
            if (data.Length >= XerialHeaderSize && data[..XerialMagic.Length].SequenceEqual(XerialMagic))
            {
                return DecompressXerial(data[XerialHeaderSize..], maxBytes);
            }

            return DecompressBlock(data, maxBytes);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException("The snappy records are damaged: " + e.Message, e);
        }
    }

    private static byte[] DecompressBlock(ReadOnlySpan<byte> block, int maxBytes)
    {
        // The block starts with the uncompressed length as a varint: check it before inflating.
        ulong length = 0;
        for (int i = 0, shift = 0; i < Math.Min(block.Length, 5); i++, shift += 7)
        {
            length |= (ulong)(block[i] & 0x7F) << shift;
            if ((block[i] & 0x80) == 0)
            {
                break;
            }
        }

        if (length > (ulong)maxBytes)
        {
            throw new InvalidDataException($"The snappy records inflate past {maxBytes} bytes.");
        }

        return IronSnappy.Snappy.Decode(block);
    }

    private static byte[] DecompressXerial(ReadOnlySpan<byte> chunks, int maxBytes)
    {
        using var output = new MemoryStream();
        while (chunks.Length > 0)
        {
            if (chunks.Length < 4)
            {
                throw new InvalidDataException("A xerial snappy chunk is truncated.");
            }

            int size = BinaryPrimitives.ReadInt32BigEndian(chunks);
            if (size < 0 || size > chunks.Length - 4)
            {
                throw new InvalidDataException("A xerial snappy chunk length does not fit the data.");
            }

            byte[] block = DecompressBlock(chunks.Slice(4, size), maxBytes);
            if (output.Length + block.Length > maxBytes)
            {
                throw new InvalidDataException($"The snappy records inflate past {maxBytes} bytes.");
            }

            output.Write(block);
            chunks = chunks[(4 + size)..];
        }

        return output.ToArray();
    }
}
