using System.Buffers.Binary;
using System.Text;
using Runnel.Records;

namespace Runnel.Protocol.Tests.RecordTests;

internal static class RecordTestData
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A small uncompressed batch with keys, values and headers.</summary>
    public static byte[] SampleBatch(int records = 3, CompressionCodec codec = CompressionCodec.None, long timestamp = 1_700_000_000_000)
    {
        var builder = new RecordBatchBuilder(codec) { ProducerId = 42, ProducerEpoch = 3, BaseSequence = 7 };
        for (int i = 0; i < records; i++)
        {
            builder.Add(
                timestamp + i,
                i % 3 == 0 ? null : Utf8("key-" + i),
                Utf8("value-" + i),
                new RecordHeaderEntry("h" + i, Utf8("x")),
                new RecordHeaderEntry("n", null));
        }

        return builder.ToArray();
    }

    /// <summary>
    /// A batch whose header fields are consistent and whose CRC is right but whose records region is
    /// <paramref name="records"/> as given: it exercises the record framing checks behind the CRC.
    /// </summary>
    public static byte[] ForgeBatch(ReadOnlySpan<byte> records, int recordCount, int? lastOffsetDelta = null, short attributes = 0)
    {
        var batch = new byte[RecordBatchHeader.Size + records.Length];
        new RecordBatchHeader
        {
            BaseOffset = 0,
            BatchLength = batch.Length - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch = -1,
            Magic = 2,
            Attributes = attributes,
            LastOffsetDelta = lastOffsetDelta ?? recordCount - 1,
            BaseTimestamp = 1000,
            MaxTimestamp = 1000,
            ProducerId = -1,
            ProducerEpoch = -1,
            BaseSequence = -1,
            RecordCount = recordCount,
        }.Write(batch);
        records.CopyTo(batch.AsSpan(RecordBatchHeader.Size));
        RecordBatchHeader.WriteCrc(batch);
        return batch;
    }

    /// <summary>Sets a header field and recomputes the CRC so that only the field is wrong.</summary>
    public static byte[] WithInt32(byte[] batch, int fieldOffset, int value)
    {
        byte[] copy = (byte[])batch.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(fieldOffset), value);
        RecordBatchHeader.WriteCrc(copy);
        return copy;
    }

    public static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        int pos = 0;
        foreach (byte[] p in parts)
        {
            p.CopyTo(result, pos);
            pos += p.Length;
        }

        return result;
    }

    /// <summary>Reads every record and header of an uncompressed batch; returns the record count.</summary>
    public static int ReadAll(ReadOnlySpan<byte> batch)
    {
        int n = 0;
        foreach (RecordView record in new RecordReader(batch))
        {
            _ = record.Key.Length + record.Value.Length;
            foreach (RecordHeader header in record.Headers)
            {
                _ = header.Key.Length + header.Value.Length;
            }

            n++;
        }

        return n;
    }
}
