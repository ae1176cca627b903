using System.Buffers.Binary;
using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.CodecMalformedInputTests;
using static Runnel.Protocol.Tests.RecordTests.CodecRoundTripTests;

namespace Runnel.Protocol.Tests.RecordTests;

/// <summary>
/// Decompression bombs, real (a few kilobytes that inflate to 48 MiB) and declared (headers that claim gigabytes):
/// refused with <see cref="InvalidDataException"/>. The codecs are also driven directly with a bounded buffer, to
/// see how far it grew: never past the limit for a real bomb, and not at all for a size that is only claimed.
/// </summary>
public class CodecBombTests
{
    private const int Limit = 1024 * 1024;
    private static readonly byte[] s_zeros = new byte[48 * 1024 * 1024];

    [Theory]
    [MemberData(nameof(Codecs), MemberType = typeof(CodecRoundTripTests))]
    public void ARealBombStopsAtTheLimitWithoutInflatingItAll(CompressionCodec codec)
    {
        byte[] bomb = RecordBatchCompression.Compress(s_zeros, codec);
        Assert.True(bomb.Length < s_zeros.Length / 20);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(codec, bomb, Limit).Dispose());
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);

        using (var bounded = new PooledByteBuffer(0, Limit))
        {
            Assert.Throws<InvalidDataException>(() => DecompressInto(codec, bomb, bounded));
            Assert.InRange(bounded.Capacity, 0, Limit + 1);
        }

        // Exactly at the limit is fine.
        byte[] atLimit = RecordBatchCompression.Compress(s_zeros.AsSpan(0, Limit), codec);
        using PooledByteBuffer output = RecordBatchCompression.Decompress(codec, atLimit, Limit);
        Assert.Equal(Limit, output.WrittenCount);
    }

    [Fact]
    public void SnappyLengthsClaimingMoreThanTheLimitOrTheBlockCanHoldAreRefusedUpFront()
    {
        // varint 0xFFFFFFFF... (4 GiB - 1): past any limit.
        AssertRefusedCheaply(CompressionCodec.Snappy, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]);

        // 1,000,000 bytes declared by a 10-byte block: under the limit of 64 MiB, but no snappy block expands that much.
        byte[] declared = [0xC0, 0x84, 0x3D, 0, 0, 0, 0, 0, 0, 0];
        AssertRefusedCheaply(CompressionCodec.Snappy, declared);

        // The same claim inside xerial framing.
        using var framed = new MemoryStream();
        WriteXerial(framed, declared);
        AssertRefusedCheaply(CompressionCodec.Snappy, framed.ToArray());
    }

    [Fact]
    public void AZstdFrameDeclaringGigabytesIsRefusedBeforeAnythingIsRented()
    {
        // A frame header with an 8-byte content size of 2^40 and one empty raw last block.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0, 0];
        AssertRefusedCheaply(CompressionCodec.Zstd, frame);
    }

    [Fact]
    public void AForgedGzipLengthIsOnlyBelievedAsFarAsDeflateCanExpand()
    {
        byte[] gzip = RecordBatchCompression.Compress("tiny"u8, CompressionCodec.Gzip);
        BinaryPrimitives.WriteUInt32LittleEndian(gzip.AsSpan(gzip.Length - 4), uint.MaxValue);
        Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(CompressionCodec.Gzip, gzip).Dispose());
        using var bounded = new PooledByteBuffer(0, RecordBatchCompression.DefaultMaxDecompressedBytes);
        Assert.Throws<InvalidDataException>(() => GzipCodec.Decompress(gzip, bounded));
        Assert.InRange(bounded.Capacity, 1, 64 * 1024); // about 1032 times the input, not 4 GiB
    }

    [Fact]
    public void XerialFramedSnappyIsReadAndItsFramingChecked()
    {
        byte[] data = Payload("text")[..6000];
        byte[] first = Snappier.Snappy.CompressToArray(data.AsSpan(0, 4000));
        byte[] second = Snappier.Snappy.CompressToArray(data.AsSpan(4000));
        using var framed = new MemoryStream();
        WriteXerial(framed, first, second);
        byte[] xerial = framed.ToArray();

        using (PooledByteBuffer output = RecordBatchCompression.Decompress(CompressionCodec.Snappy, xerial))
        {
            Assert.True(data.AsSpan().SequenceEqual(output.WrittenSpan));
        }

        // Both chunks together past the limit, each under it.
        Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(CompressionCodec.Snappy, xerial, data.Length - 1).Dispose());

        // Chunk lengths that do not fit, and cuts inside a chunk (a cut between chunks leaves valid, shorter data:
        // xerial framing has no total length, and the batch CRC is what catches that).
        foreach (int bad in new[] { -1, 0, int.MinValue, int.MaxValue, first.Length + 4 + second.Length + 1 })
        {
            byte[] copy = (byte[])xerial.Clone();
            BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), bad);
            Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(CompressionCodec.Snappy, copy).Dispose());
        }

        int boundary = 16 + 4 + first.Length;
        for (int length = 17; length < xerial.Length; length++)
        {
            if (length != boundary)
            {
                Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(CompressionCodec.Snappy, xerial[..length]).Dispose());
            }
        }
    }

    /// <summary>Refused, and by the codec before its bounded output buffer rented anything.</summary>
    private static void AssertRefusedCheaply(CompressionCodec codec, byte[] data)
    {
        Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(codec, data).Dispose());
        using var bounded = new PooledByteBuffer(0, RecordBatchCompression.DefaultMaxDecompressedBytes);
        Assert.ThrowsAny<Exception>(() => DecompressInto(codec, data, bounded));
        Assert.Equal(0, bounded.Capacity);
    }

    private static void DecompressInto(CompressionCodec codec, byte[] data, PooledByteBuffer output)
    {
        switch (codec)
        {
            case CompressionCodec.Gzip: GzipCodec.Decompress(data, output); break;
            case CompressionCodec.Snappy: SnappyCodec.Decompress(data, output); break;
            case CompressionCodec.Lz4: Lz4Codec.Decompress(data, output); break;
            default: ZstdCodec.Decompress(data, output); break;
        }
    }
}
