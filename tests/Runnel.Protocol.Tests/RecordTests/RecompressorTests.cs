using System.Buffers.Binary;
using System.Text;
using Runnel.Records;

namespace Runnel.Protocol.Tests.RecordTests;

/// <summary>A topic's compression.type: batches rebuilt with another codec keep their records and producer fields, with a valid CRC.</summary>
public class RecompressorTests
{
    private static readonly CompressionCodec[] s_codecs =
        [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];

    public static TheoryData<CompressionCodec, CompressionCodec> Pairs()
    {
        var data = new TheoryData<CompressionCodec, CompressionCodec>();
        foreach (CompressionCodec from in s_codecs)
        {
            foreach (CompressionCodec to in s_codecs)
            {
                if (from != to)
                {
                    data.Add(from, to);
                }
            }
        }

        return data;
    }

    private static byte[] Batch(CompressionCodec codec, int records = 50, int baseSequence = 17)
    {
        var builder = new RecordBatchBuilder(codec) { ProducerId = 4242, ProducerEpoch = 3, BaseSequence = baseSequence };
        for (int i = 0; i < records; i++)
        {
            builder.Add(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes($"value {i} {new string('x', i % 40)}"),
                new RecordHeaderEntry("h", [(byte)i]));
        }

        return builder.ToArray();
    }

    private static List<string> Records(ReadOnlySpan<byte> batch)
    {
        var header = RecordBatchHeader.Read(batch);
        byte[] region = RecordBatchCompression.DecompressRecords(batch);
        var records = new List<string>();
        foreach (RecordView record in new RecordReader(header, region))
        {
            records.Add($"{record.Offset}/{record.Timestamp}/{Encoding.UTF8.GetString(record.Key)}={Encoding.UTF8.GetString(record.Value)}");
        }

        return records;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_batch_of_another_codec_is_rebuilt_with_the_topic_codec(CompressionCodec from, CompressionCodec to)
    {
        byte[] original = Batch(from);
        Assert.True(RecordBatchRecompressor.NeedsRecompression(original, to));

        using var output = new PooledByteBuffer();
        RecordBatchRecompressor.Recompress(original, to, level: null, output);
        byte[] rebuilt = output.WrittenSpan.ToArray();

        RecordBatchValidation validation = RecordBatchValidator.Validate(rebuilt);
        Assert.True(validation.IsValid, validation.ToString());
        Assert.True(RecordBatchHeader.HasValidCrc(rebuilt));
        RecordBatchHeader before = RecordBatchHeader.Read(original);
        RecordBatchHeader after = RecordBatchHeader.Read(rebuilt);
        Assert.Equal(to, after.Compression);
        Assert.Equal(rebuilt.Length, after.TotalSize);
        Assert.Equal(
            (before.ProducerId, before.ProducerEpoch, before.BaseSequence, before.LastOffsetDelta, before.RecordCount, before.BaseTimestamp, before.MaxTimestamp, before.Magic),
            (after.ProducerId, after.ProducerEpoch, after.BaseSequence, after.LastOffsetDelta, after.RecordCount, after.BaseTimestamp, after.MaxTimestamp, after.Magic));
        Assert.Equal(Records(original), Records(rebuilt));
    }

    [Fact]
    public void Batches_already_in_the_topic_codec_are_copied_byte_for_byte_and_others_rebuilt()
    {
        byte[] zstd = Batch(CompressionCodec.Zstd, baseSequence: 0);
        byte[] gzip = Batch(CompressionCodec.Gzip, baseSequence: 50);
        byte[] blob = [.. zstd, .. gzip];
        Assert.False(RecordBatchRecompressor.NeedsRecompression(zstd, CompressionCodec.Zstd));

        using var output = new PooledByteBuffer();
        RecordBatchRecompressor.Recompress(blob, CompressionCodec.Zstd, level: 19, output);
        Assert.True(RecordBatchValidator.Validate(output.WrittenSpan) is { IsValid: true, BatchCount: 2 });
        Assert.Equal(zstd, output.WrittenSpan[..zstd.Length].ToArray());
        Assert.Equal(CompressionCodec.Zstd, RecordBatchHeader.Read(output.WrittenSpan[zstd.Length..]).Compression);
        Assert.Equal(Records(gzip), Records(output.WrittenSpan[zstd.Length..]));
    }

    [Fact]
    public void Damaged_compressed_data_is_refused_with_invalid_data()
    {
        byte[] batch = Batch(CompressionCodec.Lz4);
        batch[RecordBatchHeader.Size + 10] ^= 0xFF;
        batch[RecordBatchHeader.Size + 11] ^= 0xFF;
        RecordBatchHeader.WriteCrc(batch); // a producer that compressed garbage: the CRC matches, the contents do not
        Assert.True(RecordBatchValidator.Validate(batch).IsValid);

        using var output = new PooledByteBuffer();
        Assert.Throws<InvalidDataException>(() => RecordBatchRecompressor.Recompress(batch, CompressionCodec.Gzip, null, output));
    }

    [Fact]
    public void A_compressed_batch_holding_fewer_records_than_its_header_says_is_refused()
    {
        byte[] batch = Batch(CompressionCodec.Snappy, records: 5);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordCountOffset), 6);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), 5);
        RecordBatchHeader.WriteCrc(batch);
        Assert.True(RecordBatchValidator.Validate(batch).IsValid); // compressed contents are not checked on the way in

        using var output = new PooledByteBuffer();
        var refused = Assert.Throws<InvalidDataException>(() => RecordBatchRecompressor.Recompress(batch, CompressionCodec.None, null, output));
        Assert.Contains("6 well-framed records", refused.Message, StringComparison.Ordinal);
    }
}
