using Runnel.Records;

namespace Runnel.Grains.Tests;

/// <summary>Producer-side batches for log tests, made with the shared <see cref="RecordBatchBuilder"/>.</summary>
internal static class TestBatches
{
    /// <summary>A batch of <paramref name="records"/> records stamped <paramref name="timestamp"/>, +1 ms each.</summary>
    public static byte[] Make(
        int records = 1,
        long timestamp = 1_700_000_000_000,
        int valueSize = 16,
        long producerId = -1,
        short producerEpoch = -1,
        int baseSequence = -1,
        CompressionCodec codec = CompressionCodec.None)
    {
        var builder = new RecordBatchBuilder(codec)
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            BaseSequence = baseSequence,
        };

        for (int i = 0; i < records; i++)
        {
            byte[] value = new byte[valueSize];
            value.AsSpan().Fill((byte)('a' + (i % 26)));
            builder.Add(timestamp + i, key: BitConverter.GetBytes(i), value);
        }

        return builder.ToArray();
    }

    /// <summary>A header for producer-state tests, without building a batch.</summary>
    public static RecordBatchHeader Header(long producerId, short epoch, int baseSequence, int records = 1) => new()
    {
        ProducerId = producerId,
        ProducerEpoch = epoch,
        BaseSequence = baseSequence,
        LastOffsetDelta = records - 1,
        RecordCount = records,
        Magic = 2,
    };

    /// <summary>Splits stored bytes into batches and checks each is whole and CRC-valid.</summary>
    public static List<RecordBatchHeader> ParseAll(ReadOnlySpan<byte> bytes)
    {
        var headers = new List<RecordBatchHeader>();
        while (!bytes.IsEmpty)
        {
            Assert.True(bytes.Length >= RecordBatchHeader.Size, "a torn batch header");
            RecordBatchHeader header = RecordBatchHeader.Read(bytes);
            Assert.True(header.TotalSize <= bytes.Length, "a torn batch");
            Assert.True(RecordBatchHeader.HasValidCrc(bytes[..header.TotalSize]), "a batch with a bad CRC");
            headers.Add(header);
            bytes = bytes[header.TotalSize..];
        }

        return headers;
    }

    public static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(all, at);
            at += part.Length;
        }

        return all;
    }

    public static byte[] ReadAll(this Storage.LogReadResult result)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        result.CopyTo(writer);
        return writer.WrittenSpan.ToArray();
    }
}
