using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>A record to put in a hand-built batch.</summary>
public sealed record TestRecord(string? Key, string Value, IReadOnlyList<(string Key, string Value)> Headers, long TimestampDelta = 0);

/// <summary>Builds record batches (magic 2) by hand: uncompressed or gzip, with a correct or deliberately wrong CRC.</summary>
public static class RecordBatchBuilder
{
    public const short GzipAttribute = 1;

    public static byte[] Build(IReadOnlyList<TestRecord> records, long baseTimestamp, bool gzip = false, long baseOffset = 0, int partitionLeaderEpoch = -1)
    {
        var recordsWriter = new WireWriter();
        for (var i = 0; i < records.Count; i++)
        {
            recordsWriter.Raw(EncodeRecord(records[i], i));
        }

        var recordBytes = recordsWriter.ToArray();
        if (gzip)
        {
            using var compressed = new MemoryStream();
            using (var gz = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                gz.Write(recordBytes);
            }

            recordBytes = compressed.ToArray();
        }

        var maxTimestamp = baseTimestamp + records.Max(r => r.TimestampDelta);

        // Everything the CRC covers: attributes .. end.
        var tail = new WireWriter();
        tail.Int16(gzip ? GzipAttribute : (short)0)
            .Int32(records.Count - 1)
            .Int64(baseTimestamp)
            .Int64(maxTimestamp)
            .Int64(-1) // producer id
            .Int16(-1) // producer epoch
            .Int32(-1) // base sequence
            .Int32(records.Count)
            .Raw(recordBytes);
        var tailBytes = tail.ToArray();

        var batch = new WireWriter();
        batch.Int64(baseOffset)
            .Int32(4 + 1 + 4 + tailBytes.Length) // batch length: from partition leader epoch to the end
            .Int32(partitionLeaderEpoch)
            .Int8(2)
            .UInt32(Crc32C.Compute(tailBytes))
            .Raw(tailBytes);
        return batch.ToArray();
    }

    /// <summary>A copy of <paramref name="batch"/> whose CRC field no longer matches its content.</summary>
    public static byte[] WithWrongCrc(byte[] batch)
    {
        var copy = (byte[])batch.Clone();
        copy[17] ^= 0x5A;
        return copy;
    }

    private static byte[] EncodeRecord(TestRecord record, int offsetDelta)
    {
        var body = new WireWriter();
        body.Int8(0).VarLong(record.TimestampDelta).VarInt(offsetDelta);
        WriteVarBytes(body, record.Key is null ? null : Encoding.UTF8.GetBytes(record.Key));
        WriteVarBytes(body, Encoding.UTF8.GetBytes(record.Value));
        body.VarInt(record.Headers.Count);
        foreach (var (key, value) in record.Headers)
        {
            WriteVarBytes(body, Encoding.UTF8.GetBytes(key));
            WriteVarBytes(body, Encoding.UTF8.GetBytes(value));
        }

        var bodyBytes = body.ToArray();
        var w = new WireWriter();
        w.VarInt(bodyBytes.Length).Raw(bodyBytes);
        return w.ToArray();
    }

    private static void WriteVarBytes(WireWriter w, byte[]? bytes)
    {
        if (bytes is null)
        {
            w.VarInt(-1);
        }
        else
        {
            w.VarInt(bytes.Length).Raw(bytes);
        }
    }
}
