using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>One record batch as it came back in a Fetch response.</summary>
public sealed record StoredBatch(byte[] Bytes)
{
    public long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(Bytes);

    public int BatchLength => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(8));

    public int PartitionLeaderEpoch => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(12));

    public sbyte Magic => (sbyte)Bytes[16];

    public uint Crc => BinaryPrimitives.ReadUInt32BigEndian(Bytes.AsSpan(17));

    public short Attributes => BinaryPrimitives.ReadInt16BigEndian(Bytes.AsSpan(21));

    public int CompressionCodec => Attributes & 7;

    public int LastOffsetDelta => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(23));

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public long ProducerId => BinaryPrimitives.ReadInt64BigEndian(Bytes.AsSpan(43));

    public short ProducerEpoch => BinaryPrimitives.ReadInt16BigEndian(Bytes.AsSpan(51));

    public int BaseSequence => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(53));

    public int RecordCount => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(57));

    public bool CrcMatches => Crc32C.Compute(Bytes.AsSpan(21)) == Crc;

    /// <summary>Splits a Fetch response's records field into whole batches (a trailing partial batch is dropped, as clients do).</summary>
    public static List<StoredBatch> Split(byte[] records)
    {
        var batches = new List<StoredBatch>();
        var position = 0;
        while (records.Length - position >= 12)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(records.AsSpan(position + 8));
            var total = 12 + length;
            if (length < 49 || records.Length - position < total)
            {
                break;
            }

            batches.Add(new StoredBatch(records.AsSpan(position, total).ToArray()));
            position += total;
        }

        return batches;
    }
}

/// <summary>Checks on what the silo stored, read back with a raw Fetch v4.</summary>
public static class StoredBatches
{
    private static readonly string[] s_codecNames = ["none", "gzip", "snappy", "lz4", "zstd"];

    /// <summary>
    /// Every stored batch of partition 0 is compressed with <paramref name="codecId"/>, i.e. the client really
    /// compressed and the silo kept the batch as sent. A client may legitimately decide not to compress (e.g.
    /// librdkafka when it thinks the broker cannot take the codec), so the message says so.
    /// </summary>
    public static async Task AssertCodecAsync(SiloProcess silo, string topic, int codecId)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort);
        var batches = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.NotEmpty(batches);
        foreach (var batch in batches)
        {
            Assert.True(batch.CrcMatches, $"stored batch at offset {batch.BaseOffset} of {topic} fails its CRC-32C");
            Assert.True(batch.CompressionCodec == codecId,
                $"stored batch at offset {batch.BaseOffset} of {topic} ({batch.RecordCount} records) has codec {(batch.CompressionCodec < s_codecNames.Length ? s_codecNames[batch.CompressionCodec] : batch.CompressionCodec.ToString(CultureInfo.InvariantCulture))}, " +
                $"{s_codecNames[codecId]} was asked of the producer: the client sent it that way (or the silo rewrote it). librdkafka 2.0.2 " +
                "sends gzip/snappy/lz4 uncompressed unless the broker's advertised Produce range includes v0 " +
                "('Broker does not support compression type' in its msg debug log).");
        }
    }

    /// <summary>Every stored batch of partition 0 carries a producer id (so the client really produced idempotently) and a valid CRC.</summary>
    public static async Task AssertIdempotentAsync(SiloProcess silo, string topic)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort);
        var batches = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.NotEmpty(batches);
        foreach (var batch in batches)
        {
            Assert.True(batch.CrcMatches, $"stored batch at offset {batch.BaseOffset} of {topic} fails its CRC-32C");
            Assert.True(batch.ProducerId >= 0, $"idempotent batch at offset {batch.BaseOffset} of {topic} has producer id {batch.ProducerId}");
        }
    }
}
