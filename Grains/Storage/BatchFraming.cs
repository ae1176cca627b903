using System.Buffers.Binary;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>
/// The structural checks that make a run of bytes safe to walk as record batches: a whole v2 header, a
/// length that fits, a non-negative offset delta. The CRC is checked by whoever does not trust the source
/// (recovery reads bytes a crash may have torn; appends come validated by the Produce handler).
/// </summary>
internal static class BatchFraming
{
    /// <summary>The smallest batchLength of a v2 batch: the header after the offset and length fields.</summary>
    public const int MinBatchLength = RecordBatchHeader.Size - RecordBatchHeader.LogOverhead;

    /// <summary>Checks the batch at the start of <paramref name="data"/>; on success <paramref name="size"/> is its total size.</summary>
    public static ErrorCode TryFrame(ReadOnlySpan<byte> data, out int size)
    {
        size = 0;
        if (data.Length < RecordBatchHeader.Size)
        {
            return ErrorCode.CorruptMessage;
        }

        int batchLength = BinaryPrimitives.ReadInt32BigEndian(data[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < MinBatchLength || batchLength > data.Length - RecordBatchHeader.LogOverhead)
        {
            return ErrorCode.CorruptMessage;
        }

        if ((sbyte)data[RecordBatchHeader.MagicOffset] != 2)
        {
            return ErrorCode.UnsupportedForMessageFormat;
        }

        if (BinaryPrimitives.ReadInt32BigEndian(data[RecordBatchHeader.LastOffsetDeltaOffset..]) < 0)
        {
            return ErrorCode.CorruptMessage;
        }

        size = RecordBatchHeader.LogOverhead + batchLength;
        return ErrorCode.None;
    }
}
