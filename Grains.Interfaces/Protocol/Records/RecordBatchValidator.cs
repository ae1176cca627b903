using System.Buffers.Binary;
using Runnel.Protocol;

namespace Runnel.Records;

/// <summary>The class of a validation failure; each maps to one Kafka error code (<see cref="RecordBatchValidation.Error"/>).</summary>
public enum RecordValidationStatus : byte
{
    Ok = 0,
    /// <summary>The bytes are damaged: truncated, impossible lengths, CRC mismatch, broken record framing.</summary>
    CorruptMessage = 1,
    /// <summary>The bytes are intact (CRC valid) but break a rule: no records, inconsistent offsets, unknown codec, empty request.</summary>
    InvalidRecord = 2,
    /// <summary>A batch whose magic is not 2 (message format v0/v1 or something unknown).</summary>
    UnsupportedMagic = 3,
}

/// <summary>The precise reason for a failure, for logs and tests.</summary>
public enum RecordValidationFailure : byte
{
    None = 0,
    /// <summary>The blob holds no batch at all (Kafka requires at least one per partition).</summary>
    Empty,
    /// <summary>Fewer bytes remain than the batch header or the stated batch length needs.</summary>
    Truncated,
    NegativeBatchLength,
    /// <summary>The batch length is smaller than a v2 header (49 bytes after baseOffset and batchLength).</summary>
    BatchLengthTooSmall,
    UnsupportedMagic,
    CrcMismatch,
    /// <summary>Compression bits name a codec that does not exist (5-7).</summary>
    UnknownCompression,
    /// <summary>recordCount is zero or negative.</summary>
    NoRecords,
    /// <summary>lastOffsetDelta differs from recordCount - 1.</summary>
    LastOffsetDeltaMismatch,
    /// <summary>A record's varint framing is inconsistent (uncompressed batches only).</summary>
    RecordFraming,
    /// <summary>The records do not fill the batch exactly, or there are fewer/more of them than recordCount (uncompressed batches only).</summary>
    RecordCountMismatch,
    /// <summary><see cref="RecordBatchValidator.ValidateBatch"/> was given more bytes than the batch length says.</summary>
    TrailingBytes,
}

/// <summary>Outcome of <see cref="RecordBatchValidator.Validate(ReadOnlySpan{byte})"/>. The counts cover the batches that passed before any failure.</summary>
public readonly struct RecordBatchValidation
{
    public RecordBatchValidation(RecordValidationFailure failure, int failedBatchOffset, int batchCount, long recordCount, long maxTimestamp)
    {
        Failure = failure;
        FailedBatchOffset = failedBatchOffset;
        BatchCount = batchCount;
        RecordCount = recordCount;
        MaxTimestamp = maxTimestamp;
    }

    public RecordValidationFailure Failure { get; }
    /// <summary>Offset in the blob of the batch that failed, or -1.</summary>
    public int FailedBatchOffset { get; }
    public int BatchCount { get; }
    public long RecordCount { get; }
    /// <summary>The largest header maxTimestamp of the batches, or -1 (Kafka's NO_TIMESTAMP) when none.</summary>
    public long MaxTimestamp { get; }

    public bool IsValid => Failure == RecordValidationFailure.None;

    public RecordValidationStatus Status => Failure switch
    {
        RecordValidationFailure.None => RecordValidationStatus.Ok,
        RecordValidationFailure.UnsupportedMagic => RecordValidationStatus.UnsupportedMagic,
        RecordValidationFailure.Empty or RecordValidationFailure.UnknownCompression or RecordValidationFailure.NoRecords
            or RecordValidationFailure.LastOffsetDeltaMismatch => RecordValidationStatus.InvalidRecord,
        _ => RecordValidationStatus.CorruptMessage,
    };

    /// <summary>The error code a produce response carries for this outcome.</summary>
    public ErrorCode Error => Status switch
    {
        RecordValidationStatus.Ok => ErrorCode.None,
        RecordValidationStatus.CorruptMessage => ErrorCode.CorruptMessage,
        RecordValidationStatus.UnsupportedMagic => ErrorCode.UnsupportedForMessageFormat,
        _ => ErrorCode.InvalidRecord,
    };

    /// <summary>A sentence for the produce response's error message (null when valid); allocates, so call it on failure only.</summary>
    public string? Message => IsValid ? null : Failure switch
    {
        RecordValidationFailure.Empty => "The request carries no record batch.",
        RecordValidationFailure.Truncated => $"The record batch at byte {FailedBatchOffset} is truncated or followed by stray bytes.",
        RecordValidationFailure.NegativeBatchLength => $"The record batch at byte {FailedBatchOffset} has a negative length.",
        RecordValidationFailure.BatchLengthTooSmall => $"The record batch at byte {FailedBatchOffset} is shorter than a batch header.",
        RecordValidationFailure.UnsupportedMagic => $"The record batch at byte {FailedBatchOffset} is not message format v2 (magic 2).",
        RecordValidationFailure.CrcMismatch => $"The record batch at byte {FailedBatchOffset} fails its CRC-32C check.",
        RecordValidationFailure.UnknownCompression => $"The record batch at byte {FailedBatchOffset} names an unknown compression codec.",
        RecordValidationFailure.NoRecords => $"The record batch at byte {FailedBatchOffset} holds no records.",
        RecordValidationFailure.LastOffsetDeltaMismatch => $"The record batch at byte {FailedBatchOffset} has a lastOffsetDelta that disagrees with its record count.",
        RecordValidationFailure.RecordFraming => $"A record in the batch at byte {FailedBatchOffset} has inconsistent length fields.",
        RecordValidationFailure.RecordCountMismatch => $"The records of the batch at byte {FailedBatchOffset} do not match its record count and length.",
        _ => $"The record batch at byte {FailedBatchOffset} is invalid ({Failure}).",
    };

    public override string ToString() => IsValid
        ? $"Valid: {BatchCount} batches, {RecordCount} records, maxTimestamp {MaxTimestamp}"
        : $"{Status} ({Failure}) in the batch at offset {FailedBatchOffset}";
}

/// <summary>Called for each batch once it has passed validation, in blob order.</summary>
public interface IRecordBatchVisitor
{
    void OnBatch(int offsetInBlob, in RecordBatchHeader header, ReadOnlySpan<byte> batch);
}

/// <summary>
/// Validates the records blob of a produce request: a whole number of v2 batches, each with a sane length, magic 2,
/// a valid CRC-32C, recordCount &gt;= 1, lastOffsetDelta = recordCount - 1, a known codec and, when uncompressed,
/// records whose varint framing fills the batch exactly. Never throws for any input and allocates nothing.
/// </summary>
public static class RecordBatchValidator
{
    private const int HeaderBytesAfterLength = RecordBatchHeader.Size - RecordBatchHeader.LogOverhead; // 49

    public static RecordBatchValidation Validate(ReadOnlySpan<byte> records)
    {
        var none = default(NoVisitor);
        return Validate(records, ref none);
    }

    /// <summary>
    /// As <see cref="Validate(ReadOnlySpan{byte})"/>, calling <paramref name="visitor"/> for each batch after it passed.
    /// A later batch may still fail, so act on the visited batches only when the result is ok.
    /// </summary>
    public static RecordBatchValidation Validate<TVisitor>(ReadOnlySpan<byte> records, ref TVisitor visitor)
        where TVisitor : IRecordBatchVisitor, allows ref struct
    {
        if (records.IsEmpty)
        {
            return new RecordBatchValidation(RecordValidationFailure.Empty, 0, 0, 0, -1);
        }

        int offset = 0;
        int batchCount = 0;
        long recordCount = 0;
        long maxTimestamp = -1;
        while (offset < records.Length)
        {
            ReadOnlySpan<byte> rest = records[offset..];
            RecordValidationFailure failure = FrameBatch(rest, out int totalSize);
            if (failure == RecordValidationFailure.None)
            {
                ReadOnlySpan<byte> batch = rest[..totalSize];
                failure = CheckBatch(batch);
                if (failure == RecordValidationFailure.None)
                {
                    var header = RecordBatchHeader.Read(batch);
                    batchCount++;
                    recordCount += header.RecordCount;
                    maxTimestamp = Math.Max(maxTimestamp, header.MaxTimestamp);
                    visitor.OnBatch(offset, header, batch);
                    offset += totalSize;
                    continue;
                }
            }

            return new RecordBatchValidation(failure, offset, batchCount, recordCount, maxTimestamp);
        }

        return new RecordBatchValidation(RecordValidationFailure.None, -1, batchCount, recordCount, maxTimestamp);
    }

    /// <summary>Validates exactly one batch (its length must match the span).</summary>
    public static RecordValidationFailure ValidateBatch(ReadOnlySpan<byte> batch)
    {
        RecordValidationFailure failure = FrameBatch(batch, out int totalSize);
        if (failure != RecordValidationFailure.None)
        {
            return failure;
        }

        return totalSize != batch.Length ? RecordValidationFailure.TrailingBytes : CheckBatch(batch);
    }

    /// <summary>
    /// Finds the extent of the batch at the start of <paramref name="rest"/> and checks its magic. On success the batch
    /// holds at least a whole v2 header.
    /// </summary>
    internal static RecordValidationFailure FrameBatch(ReadOnlySpan<byte> rest, out int totalSize)
    {
        totalSize = 0;
        if (rest.Length < RecordBatchHeader.LogOverhead)
        {
            return RecordValidationFailure.Truncated;
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchHeader.BatchLengthOffset..]);
        if (length < 0)
        {
            return RecordValidationFailure.NegativeBatchLength;
        }

        if (length > rest.Length - RecordBatchHeader.LogOverhead)
        {
            return RecordValidationFailure.Truncated;
        }

        if (length <= RecordBatchHeader.MagicOffset - RecordBatchHeader.LogOverhead)
        {
            return RecordValidationFailure.BatchLengthTooSmall; // not even the magic byte
        }

        if (rest[RecordBatchHeader.MagicOffset] != 2)
        {
            return RecordValidationFailure.UnsupportedMagic;
        }

        if (length < HeaderBytesAfterLength)
        {
            return RecordValidationFailure.BatchLengthTooSmall;
        }

        totalSize = RecordBatchHeader.LogOverhead + length;
        return RecordValidationFailure.None;
    }

    /// <summary>Checks CRC, header consistency and (uncompressed) record framing of one framed v2 batch.</summary>
    private static RecordValidationFailure CheckBatch(ReadOnlySpan<byte> batch)
    {
        if (!RecordBatchHeader.HasValidCrc(batch))
        {
            return RecordValidationFailure.CrcMismatch;
        }

        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        int codec = attributes & 0x07;
        if (codec > (int)CompressionCodec.Zstd)
        {
            return RecordValidationFailure.UnknownCompression;
        }

        int recordCount = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.RecordCountOffset..]);
        if (recordCount < 1)
        {
            return RecordValidationFailure.NoRecords;
        }

        int lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..]);
        if (lastOffsetDelta != recordCount - 1)
        {
            return RecordValidationFailure.LastOffsetDeltaMismatch;
        }

        return codec == (int)CompressionCodec.None
            ? RecordFraming.CheckRecords(batch[RecordBatchHeader.Size..], recordCount)
            : RecordValidationFailure.None;
    }

    private struct NoVisitor : IRecordBatchVisitor
    {
        public readonly void OnBatch(int offsetInBlob, in RecordBatchHeader header, ReadOnlySpan<byte> batch)
        {
        }
    }
}
