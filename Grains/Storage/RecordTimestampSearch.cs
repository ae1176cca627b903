using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>
/// Finds, inside one stored batch, the first record at or after a timestamp, for ListOffsets. Reads only the
/// record framing (length, attributes, timestamp delta, offset delta) of uncompressed batches; anything it cannot
/// read precisely answers with the batch itself, which never skips a matching record.
/// </summary>
internal static class RecordTimestampSearch
{
    public static TimestampOffset Find(ReadOnlySpan<byte> batch, long timestamp, long minOffset)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        var wholeBatch = new TimestampOffset(Math.Max(header.BaseOffset, minOffset), header.MaxTimestamp);
        if (header.Compression != CompressionCodec.None || header.IsLogAppendTime)
        {
            return wholeBatch;
        }

        ReadOnlySpan<byte> records = batch[RecordBatchHeader.Size..];
        for (int i = 0; i < header.RecordCount; i++)
        {
            if (!TryReadVarLong(ref records, out long length) || length < 1 || length > records.Length)
            {
                return wholeBatch;
            }

            ReadOnlySpan<byte> record = records[1..(int)length]; // skip the attributes byte
            records = records[(int)length..];
            if (!TryReadVarLong(ref record, out long timestampDelta) || !TryReadVarLong(ref record, out long offsetDelta))
            {
                return wholeBatch;
            }

            long offset = header.BaseOffset + offsetDelta;
            long recordTimestamp = header.BaseTimestamp + timestampDelta;
            if (offset >= minOffset && recordTimestamp >= timestamp)
            {
                return new TimestampOffset(offset, recordTimestamp);
            }
        }

        return wholeBatch;
    }

    /// <summary>A zig-zag varint (Kafka's varint and varlong share the encoding); false when truncated or over-long.</summary>
    private static bool TryReadVarLong(ref ReadOnlySpan<byte> data, out long value)
    {
        ulong raw = 0;
        for (int i = 0; i < 10 && i < data.Length; i++)
        {
            byte b = data[i];
            raw |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                data = data[(i + 1)..];
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }

        value = 0;
        return false;
    }
}
