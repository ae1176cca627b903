using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.RecordTestData;

namespace Runnel.Protocol.Tests.RecordTests;

public class RoundTripTests
{
    [Fact]
    public void SingleRecordMatchesTheHandAssembledWireBytes()
    {
        byte[] built = new RecordBatchBuilder().Add(1000, Utf8("k"), Utf8("v"), new RecordHeaderEntry("h", Utf8("x"))).ToArray();

        // Assembled by hand from the protocol description, independently of the builder.
        byte[] record =
        [
            0x18, // length 12 (zigzag 24)
            0x00, // attributes
            0x00, // timestampDelta 0
            0x00, // offsetDelta 0
            0x02, (byte)'k', // key length 1
            0x02, (byte)'v', // value length 1
            0x02, // 1 header
            0x02, (byte)'h', 0x02, (byte)'x',
        ];
        var expected = new byte[61 + record.Length];
        var span = expected.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, 0); // baseOffset
        BinaryPrimitives.WriteInt32BigEndian(span[8..], expected.Length - 12);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], -1); // partitionLeaderEpoch
        span[16] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[21..], 0); // attributes
        BinaryPrimitives.WriteInt32BigEndian(span[23..], 0); // lastOffsetDelta
        BinaryPrimitives.WriteInt64BigEndian(span[27..], 1000);
        BinaryPrimitives.WriteInt64BigEndian(span[35..], 1000);
        BinaryPrimitives.WriteInt64BigEndian(span[43..], -1); // producerId
        BinaryPrimitives.WriteInt16BigEndian(span[51..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[53..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[57..], 1);
        record.CopyTo(span[61..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[17..], ~Crc32C.AppendTable(0xFFFFFFFFu, span[21..]));

        Assert.Equal(expected, built);
    }

    [Fact]
    public void BuildValidateReadWithHeadersAndProducerFields()
    {
        var builder = new RecordBatchBuilder { ProducerId = 9_000_000_001, ProducerEpoch = 5, BaseSequence = 100, IsTransactional = true };
        builder.Add(2000, Utf8("a"), Utf8("alpha"), new RecordHeaderEntry("trace", Utf8("t1")), new RecordHeaderEntry("é", null));
        builder.Add(1990, Utf8("b"), Utf8("beta"));
        builder.Add(2010, Utf8("c"), Utf8("gamma"), new RecordHeaderEntry("", []));
        byte[] batch = builder.ToArray();

        RecordBatchValidation result = RecordBatchValidator.Validate(batch);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(RecordValidationStatus.Ok, result.Status);
        Assert.Equal(Runnel.Protocol.ErrorCode.None, result.Error);
        Assert.Equal(1, result.BatchCount);
        Assert.Equal(3, result.RecordCount);
        Assert.Equal(2010, result.MaxTimestamp);
        Assert.Equal(-1, result.FailedBatchOffset);
        Assert.Null(result.Message);

        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(9_000_000_001, header.ProducerId);
        Assert.Equal((short)5, header.ProducerEpoch);
        Assert.Equal(100, header.BaseSequence);
        Assert.Equal(102, header.LastSequence);
        Assert.True(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.Equal(CompressionCodec.None, header.Compression);
        Assert.Equal(2000, header.BaseTimestamp);
        Assert.Equal(2010, header.MaxTimestamp);
        Assert.Equal(2, header.LastOffsetDelta);
        Assert.Equal(batch.Length, header.TotalSize);

        var reader = new RecordReader(batch);
        Assert.True(reader.MoveNext());
        RecordView r = reader.Current;
        Assert.Equal(0, r.OffsetDelta);
        Assert.Equal(0, r.TimestampDelta);
        Assert.Equal(2000, r.Timestamp);
        Assert.Equal("a", Encoding.UTF8.GetString(r.Key));
        Assert.Equal("alpha", Encoding.UTF8.GetString(r.Value));
        Assert.Equal(2, r.HeaderCount);
        RecordHeaderEnumerator headers = r.Headers;
        Assert.True(headers.MoveNext());
        Assert.Equal("trace", headers.Current.KeyString);
        Assert.Equal("t1", Encoding.UTF8.GetString(headers.Current.Value));
        Assert.False(headers.Current.IsValueNull);
        Assert.True(headers.MoveNext());
        Assert.Equal("é", headers.Current.KeyString);
        Assert.True(headers.Current.IsValueNull);
        Assert.False(headers.MoveNext());

        Assert.True(reader.MoveNext());
        r = reader.Current;
        Assert.Equal(1, r.OffsetDelta);
        Assert.Equal(-10, r.TimestampDelta);
        Assert.Equal(0, r.HeaderCount);
        Assert.False(r.Headers.MoveNext());

        Assert.True(reader.MoveNext());
        r = reader.Current;
        Assert.Equal(2, r.Offset);
        Assert.Equal(2010, r.Timestamp);
        headers = r.Headers;
        Assert.True(headers.MoveNext());
        Assert.Equal(0, headers.Current.Key.Length);
        Assert.False(headers.Current.IsValueNull);
        Assert.Equal(0, headers.Current.Value.Length);
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void DefaultsAreMinusOneForProducerFields()
    {
        var header = RecordBatchHeader.Read(new RecordBatchBuilder().Add(1, null, null).ToArray());
        Assert.Equal(-1, header.ProducerId);
        Assert.Equal((short)-1, header.ProducerEpoch);
        Assert.Equal(-1, header.BaseSequence);
        Assert.Equal(-1, header.LastSequence);
        Assert.Equal(-1, header.PartitionLeaderEpoch);
        Assert.Equal(0, header.BaseOffset);
        Assert.False(header.IsTransactional);
    }

    [Fact]
    public void NullKeyNullValueAndEmptyValueAreDistinct()
    {
        byte[] batch = new RecordBatchBuilder()
            .Add(1, null, Utf8("v"))
            .Add(2, Utf8("k"), null)
            .Add(3, [], [])
            .Add(4, null, null)
            .ToArray();
        Assert.True(RecordBatchValidator.Validate(batch).IsValid);

        var seen = new List<(bool KeyNull, int KeyLength, bool ValueNull, int ValueLength)>();
        foreach (RecordView r in new RecordReader(batch))
        {
            seen.Add((r.IsKeyNull, r.Key.Length, r.IsValueNull, r.Value.Length));
        }

        Assert.Equal(
            [(true, 0, false, 1), (false, 1, true, 0), (false, 0, false, 0), (true, 0, true, 0)],
            seen);
    }

    [Fact]
    public void ManyRecordsOfVaryingSizes()
    {
        var random = new Random(1234);
        var builder = new RecordBatchBuilder();
        var values = new List<byte[]>();
        for (int i = 0; i < 5000; i++)
        {
            var value = new byte[random.Next(0, i % 100 == 0 ? 3000 : 40)];
            random.NextBytes(value);
            values.Add(value);
            builder.Add(1_000_000 + random.Next(-500, 500), BitConverter.GetBytes(i), value);
        }

        byte[] batch = builder.ToArray();
        RecordBatchValidation result = RecordBatchValidator.Validate(batch);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(5000, result.RecordCount);
        Assert.Equal(builder.MaxTimestamp, result.MaxTimestamp);

        long expectedBase = 777;
        RecordBatchHeader.AssignOffset(batch, expectedBase, 3);
        int n = 0;
        foreach (RecordView r in new RecordReader(batch))
        {
            Assert.Equal(n, r.OffsetDelta);
            Assert.Equal(expectedBase + n, r.Offset);
            Assert.Equal(n, BitConverter.ToInt32(r.Key));
            Assert.True(r.Value.SequenceEqual(values[n]));
            n++;
        }

        Assert.Equal(5000, n);
    }

    [Fact]
    public void GzipBatchRoundTrips()
    {
        var builder = new RecordBatchBuilder(CompressionCodec.Gzip) { ProducerId = 1, ProducerEpoch = 0, BaseSequence = 0 };
        for (int i = 0; i < 200; i++)
        {
            builder.Add(10_000 + i, i % 2 == 0 ? null : Utf8("key" + i), Utf8(new string('x', i)), new RecordHeaderEntry("i", Utf8(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        byte[] batch = builder.ToArray();
        Assert.True(batch.Length < RecordBatchHeader.Size + builder.UncompressedRecordsSize);
        RecordBatchValidation result = RecordBatchValidator.Validate(batch);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(200, result.RecordCount);
        Assert.Equal(10_199, result.MaxTimestamp);

        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(CompressionCodec.Gzip, header.Compression);
        byte[] records = RecordBatchCompression.DecompressRecords(batch);
        Assert.Equal(builder.UncompressedRecordsSize, records.Length);

        int n = 0;
        foreach (RecordView r in new RecordReader(header, records))
        {
            Assert.Equal(n, r.OffsetDelta);
            Assert.Equal(n % 2 == 0, r.IsKeyNull);
            Assert.Equal(n, r.Value.Length);
            RecordHeaderEnumerator h = r.Headers;
            Assert.True(h.MoveNext());
            Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(h.Current.Value));
            n++;
        }

        Assert.Equal(200, n);
    }

    [Fact]
    public void CompressedBatchesCannotBeReadDirectlyAndUnknownCodecsSayNotSupported()
    {
        byte[] gzip = SampleBatch(codec: CompressionCodec.Gzip);
        Assert.Throws<NotSupportedException>(() => new RecordReader(gzip));

        foreach (CompressionCodec codec in new[] { CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd })
        {
            byte[] batch = ForgeBatch([1, 2, 3], 1, attributes: (short)codec);
            Assert.True(RecordBatchValidator.Validate(batch).IsValid); // compressed payloads are not inspected on produce
            Assert.Throws<InvalidDataException>(() => RecordBatchCompression.DecompressRecords(batch));
        }

        byte[] unknown = ForgeBatch([1, 2, 3], 1, attributes: 5);
        Assert.Throws<NotSupportedException>(() => RecordBatchCompression.DecompressRecords(unknown));
        Assert.Throws<NotSupportedException>(() => new RecordBatchBuilder((CompressionCodec)5));
    }

    [Fact]
    public void DamagedGzipPayloadThrowsInvalidData()
    {
        byte[] batch = ForgeBatch([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad], 1, attributes: (short)CompressionCodec.Gzip);
        Assert.Throws<InvalidDataException>(() => RecordBatchCompression.DecompressRecords(batch));
    }

    [Fact]
    public void DecompressionIsBounded()
    {
        var builder = new RecordBatchBuilder(CompressionCodec.Gzip);
        builder.Add(1, null, new byte[100_000]);
        Assert.Throws<InvalidDataException>(() => RecordBatchCompression.DecompressRecords(builder.ToArray(), maxDecompressedBytes: 50_000));
    }

    [Fact]
    public void AssigningAnOffsetKeepsTheCrcValid()
    {
        foreach (CompressionCodec codec in new[] { CompressionCodec.None, CompressionCodec.Gzip })
        {
            byte[] batch = SampleBatch(5, codec);
            uint crcBefore = RecordBatchHeader.Read(batch).Crc;
            RecordBatchHeader.AssignOffset(batch, 1_234_567_890_123, 17);
            var header = RecordBatchHeader.Read(batch);
            Assert.Equal(1_234_567_890_123, header.BaseOffset);
            Assert.Equal(17, header.PartitionLeaderEpoch);
            Assert.Equal(1_234_567_890_127, header.LastOffset);
            Assert.Equal(crcBefore, header.Crc);
            Assert.True(RecordBatchHeader.HasValidCrc(batch));
            Assert.True(RecordBatchValidator.Validate(batch).IsValid);
        }
    }

    [Fact]
    public void SeveralBatchesAreReportedAndEnumerated()
    {
        byte[] a = SampleBatch(3, timestamp: 100);
        byte[] b = SampleBatch(10, CompressionCodec.Gzip, timestamp: 5000);
        byte[] c = SampleBatch(1, timestamp: 200);
        byte[] blob = Concat(a, b, c);

        var visitor = new CollectingVisitor();
        RecordBatchValidation result = RecordBatchValidator.Validate(blob, ref visitor);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(3, result.BatchCount);
        Assert.Equal(14, result.RecordCount);
        Assert.Equal(5009, result.MaxTimestamp);
        Assert.Equal([(0, 3), (a.Length, 10), (a.Length + b.Length, 1)], visitor.Seen);

        var offsets = new List<int>();
        var enumerator = new RecordBatchEnumerator(blob);
        foreach (RecordBatchEntry entry in enumerator)
        {
            offsets.Add(entry.Offset);
            Assert.Equal(entry.Header.TotalSize, entry.Bytes.Length);
            Assert.True(RecordBatchHeader.HasValidCrc(entry.Bytes));
        }

        Assert.Equal([0, a.Length, a.Length + b.Length], offsets);
    }

    [Fact]
    public void EnumeratorStopsAtAPartialTrailingBatch()
    {
        byte[] a = SampleBatch(2);
        byte[] blob = Concat(a, a.AsSpan(0, 30).ToArray());
        var enumerator = new RecordBatchEnumerator(blob);
        Assert.True(enumerator.MoveNext());
        Assert.False(enumerator.MoveNext());
        Assert.True(enumerator.IsMalformed);
        Assert.Equal(RecordValidationFailure.Truncated, enumerator.Failure);
        Assert.Equal(a.Length, enumerator.Position);

        var whole = new RecordBatchEnumerator(a);
        Assert.True(whole.MoveNext());
        Assert.False(whole.MoveNext());
        Assert.False(whole.IsMalformed);
    }

    [Fact]
    public void WriteToAppendsToABufferWriterAndTheBuilderIsReusable()
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(new byte[] { 9, 9, 9 });
        var builder = new RecordBatchBuilder();
        builder.Add(5, Utf8("k"), Utf8("v"));
        int first = builder.WriteTo(writer);
        builder.Clear();
        Assert.Equal(0, builder.Count);
        Assert.Throws<InvalidOperationException>(() => builder.WriteTo(writer));
        builder.Add(6, null, Utf8("w")).Add(7, null, Utf8("x"));
        int second = builder.WriteTo(writer);

        Assert.Equal(3 + first + second, writer.WrittenCount);
        RecordBatchValidation result = RecordBatchValidator.Validate(writer.WrittenSpan[3..]);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(2, result.BatchCount);
        Assert.Equal(3, result.RecordCount);
        Assert.Equal(7, result.MaxTimestamp);
        Assert.Equal(RecordValidationFailure.None, RecordBatchValidator.ValidateBatch(writer.WrittenSpan.Slice(3, first)));
    }

    private struct CollectingVisitor : IRecordBatchVisitor
    {
        public CollectingVisitor()
        {
        }

        public List<(int Offset, int Count)> Seen { get; } = [];

        public readonly void OnBatch(int offsetInBlob, in RecordBatchHeader header, ReadOnlySpan<byte> batch)
        {
            Assert.Equal(header.TotalSize, batch.Length);
            Seen.Add((offsetInBlob, header.RecordCount));
        }
    }
}
