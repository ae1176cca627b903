using System.Text;
using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.RecordTestData;

namespace Runnel.Protocol.Tests.RecordTests;

/// <summary>Every Kafka codec compresses and decompresses back to the same bytes, at every level, and in whole batches.</summary>
public class CodecRoundTripTests
{
    public static TheoryData<CompressionCodec> Codecs => [CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];

    public static TheoryData<CompressionCodec, string> CodecsAndPayloads()
    {
        var data = new TheoryData<CompressionCodec, string>();
        foreach (CompressionCodec codec in Codecs)
        {
            foreach (string payload in new[] { "empty", "one-byte", "text", "random", "zeros", "mixed" })
            {
                data.Add(codec, payload);
            }
        }

        return data;
    }

    /// <summary>Sizes cross the codecs' internal block sizes (lz4 64 KiB, snappy 64 KiB fragments, zstd 128 KiB blocks).</summary>
    internal static byte[] Payload(string kind) => kind switch
    {
        "empty" => [],
        "one-byte" => [42],
        "text" => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"record-{i % 97} value {i * 7919 % 1000};"))),
        "random" => RandomBytes(300_000, seed: 7),
        "zeros" => new byte[3 * 1024 * 1024],
        "mixed" => [.. RandomBytes(70_000, seed: 8), .. new byte[200_000], .. Encoding.UTF8.GetBytes(new string('k', 90_000))],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(CodecsAndPayloads))]
    public void CompressedDataDecompressesToTheSameBytes(CompressionCodec codec, string payload)
    {
        byte[] original = Payload(payload);
        byte[] compressed = RecordBatchCompression.Compress(original, codec);
        Assert.NotEmpty(compressed);
        if (payload is "text" or "zeros")
        {
            Assert.True(compressed.Length < original.Length / 2, $"{codec} left {payload} at {compressed.Length} of {original.Length} bytes");
        }

        using PooledByteBuffer decompressed = RecordBatchCompression.Decompress(codec, compressed, original.Length + 1);
        Assert.True(original.AsSpan().SequenceEqual(decompressed.WrittenSpan), $"{codec} did not round-trip {payload}");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void EveryLevelRoundTripsAndOutOfRangeLevelsAreClamped(CompressionCodec codec)
    {
        byte[] original = Payload("text")[..40_000];
        foreach (int level in new[] { int.MinValue, -5, -1, 0, 1, 2, 3, 6, 9, 12, 17, 19, 22, 23, int.MaxValue })
        {
            byte[] compressed = RecordBatchCompression.Compress(original, codec, level);
            using PooledByteBuffer decompressed = RecordBatchCompression.Decompress(codec, compressed);
            Assert.True(original.AsSpan().SequenceEqual(decompressed.WrittenSpan), $"{codec} level {level}");
        }
    }

    [Fact]
    public void HigherLevelsCompressTextHarder()
    {
        byte[] text = Payload("text");
        Assert.True(RecordBatchCompression.Compress(text, CompressionCodec.Gzip, 9).Length < RecordBatchCompression.Compress(text, CompressionCodec.Gzip, 1).Length);
        Assert.True(RecordBatchCompression.Compress(text, CompressionCodec.Lz4, 9).Length < RecordBatchCompression.Compress(text, CompressionCodec.Lz4, 0).Length);
        Assert.True(RecordBatchCompression.Compress(text, CompressionCodec.Zstd, 19).Length < RecordBatchCompression.Compress(text, CompressionCodec.Zstd, 1).Length);
    }

    [Fact]
    public void Lz4IsWrittenAsTheJavaClientReadsIt()
    {
        // KafkaLZ4BlockInputStream wants frame version 1 and independent blocks; no content size or checksums needed.
        byte[] frame = RecordBatchCompression.Compress(Payload("text"), CompressionCodec.Lz4);
        Assert.Equal([0x04, 0x22, 0x4D, 0x18], frame[..4]);
        byte flags = frame[4];
        Assert.Equal(0b01, flags >> 6);
        Assert.True((flags & 0x20) != 0, "blocks must be independent");
        Assert.Equal(0, flags & 0x1C);
        Assert.Equal(4, (frame[5] >> 4) & 0x07); // 64 KiB blocks
    }

    [Fact]
    public void SnappyIsWrittenRawAndZstdWithItsContentSize()
    {
        byte[] text = Payload("text");
        byte[] snappy = RecordBatchCompression.Compress(text, CompressionCodec.Snappy);
        Assert.NotEqual(0x82, snappy[0]); // not the xerial magic: a raw block starts with its length as a varint
        Assert.Equal(text.Length, Snappier.Snappy.GetUncompressedLength(snappy));

        byte[] zstd = RecordBatchCompression.Compress(text, CompressionCodec.Zstd);
        Assert.Equal((ulong)text.Length, ZstdSharp.Decompressor.GetDecompressedSize(zstd));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void BuiltBatchesValidateDecompressAndRead(CompressionCodec codec)
    {
        var builder = new RecordBatchBuilder(codec) { ProducerId = 5, ProducerEpoch = 0, BaseSequence = 0 };
        for (int i = 0; i < 500; i++)
        {
            builder.Add(1_000 + i, i % 5 == 0 ? null : Utf8("key-" + i), Utf8(new string((char)('a' + (i % 26)), i % 300)), new RecordHeaderEntry("i", Utf8(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        byte[] batch = builder.ToArray();
        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(codec, header.Compression);
        Assert.True(batch.Length < RecordBatchHeader.Size + builder.UncompressedRecordsSize / 2);
        RecordBatchValidation result = RecordBatchValidator.Validate(batch);
        Assert.True(result.IsValid, result.ToString());

        byte[] records = RecordBatchCompression.DecompressRecords(batch);
        Assert.Equal(builder.UncompressedRecordsSize, records.Length);
        int n = 0;
        foreach (RecordView r in new RecordReader(header, records))
        {
            Assert.Equal(n, r.OffsetDelta);
            Assert.Equal(n % 5 == 0, r.IsKeyNull);
            Assert.Equal(n % 300, r.Value.Length);
            n++;
        }

        Assert.Equal(500, n);
    }

    [Fact]
    public void PooledBufferGrowsAndReturnsItsArray()
    {
        using var buffer = new PooledByteBuffer();
        Assert.Equal(0, buffer.WrittenCount);
        for (int i = 0; i < 100_000; i++)
        {
            buffer.GetSpan(1)[0] = (byte)i;
            buffer.Advance(1);
        }

        Assert.Equal(100_000, buffer.WrittenCount);
        Assert.Equal(unchecked((byte)99_999), buffer.WrittenSpan[^1]);
        buffer.Dispose();
        Assert.Equal(0, buffer.WrittenCount);
    }
}
