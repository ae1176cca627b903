using System.Buffers.Binary;
using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.CodecRoundTripTests;

namespace Runnel.Protocol.Tests.RecordTests;

/// <summary>
/// Damaged, truncated and malicious compressed data: every codec answers with <see cref="InvalidDataException"/>
/// (or, where a flipped bit happens to leave valid data, some output within the limit), never another exception,
/// a crash or a hang, and a bomb never costs more memory than the limit.
/// </summary>
public class CodecMalformedInputTests
{
    private static readonly byte[] s_text = Payload("text")[..20_000];

    [Theory]
    [MemberData(nameof(Codecs), MemberType = typeof(CodecRoundTripTests))]
    public void EveryTruncationIsRejected(CompressionCodec codec)
    {
        byte[] compressed = RecordBatchCompression.Compress(s_text, codec);
        for (int length = 0; length < compressed.Length; length++)
        {
            byte[] truncated = compressed[..length];
            Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(codec, truncated).Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Codecs), MemberType = typeof(CodecRoundTripTests))]
    public void GarbageIsRejected(CompressionCodec codec)
    {
        var random = new Random(0xBAD + (int)codec);
        for (int i = 0; i < 2000; i++)
        {
            byte[] garbage = RandomBytes(random.Next(1, 300), random.Next());
            if (codec == CompressionCodec.Snappy)
            {
                // Raw snappy has no magic: random bytes are occasionally a valid block. They must never be more.
                DecompressOrReject(codec, garbage, 1 << 20);
            }
            else
            {
                // gzip, lz4 and zstd all start with a magic number that random bytes almost never have.
                Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(codec, garbage).Dispose());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Codecs), MemberType = typeof(CodecRoundTripTests))]
    public void FlippedAndOverwrittenBytesAreRejectedOrDecodeWithinTheLimit(CompressionCodec codec)
    {
        byte[] compressed = RecordBatchCompression.Compress(s_text, codec);
        var random = new Random(0x5EED + (int)codec);
        int rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] mutated = (byte[])compressed.Clone();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                int at = random.Next(mutated.Length);
                mutated[at] = random.Next(2) == 0 ? (byte)(mutated[at] ^ (1 << random.Next(8))) : (byte)random.Next(256);
            }

            rejected += DecompressOrReject(codec, mutated, 1 << 20) ? 0 : 1;
        }

        Assert.True(rejected > 0, $"no mutation of {codec} data was rejected");
    }

    [Fact]
    public void EmptyDataAndUnknownCodecsAreRefused()
    {
        foreach (CompressionCodec codec in new[] { CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd })
        {
            Assert.Throws<InvalidDataException>(() => RecordBatchCompression.Decompress(codec, []).Dispose());
        }

        for (int codec = 5; codec <= 7; codec++)
        {
            Assert.Throws<NotSupportedException>(() => RecordBatchCompression.Decompress((CompressionCodec)codec, [1, 2, 3]).Dispose());
            using var output = new PooledByteBuffer();
            Assert.Throws<NotSupportedException>(() => RecordBatchCompression.Compress((CompressionCodec)codec, [1, 2, 3], output));
        }
    }

    /// <summary>Decompresses under a limit; true when it decoded (within the limit), false when it was rejected.</summary>
    internal static bool DecompressOrReject(CompressionCodec codec, byte[] data, int limit)
    {
        try
        {
            using PooledByteBuffer output = RecordBatchCompression.Decompress(codec, data, limit);
            Assert.InRange(output.WrittenCount, 0, limit);
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    internal static void WriteXerial(MemoryStream framed, params byte[][] blocks)
    {
        framed.Write([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1]);
        Span<byte> length = stackalloc byte[4];
        foreach (byte[] block in blocks)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, block.Length);
            framed.Write(length);
            framed.Write(block);
        }
    }
}
