using System.Buffers.Binary;

namespace Runnel.Records;

/// <summary>
/// The fixed 61-byte header of a Kafka record batch (magic 2). Offsets of each field are the wire layout:
/// baseOffset(8) batchLength(4) partitionLeaderEpoch(4) magic(1) crc(4) attributes(2) lastOffsetDelta(4)
/// baseTimestamp(8) maxTimestamp(8) producerId(8) producerEpoch(2) baseSequence(4) recordCount(4).
/// The CRC covers everything from attributes to the end of the batch, so a broker may rewrite
/// baseOffset and partitionLeaderEpoch without touching it.
/// </summary>
public readonly struct RecordBatchHeader
{
    public const int Size = 61;
    /// <summary>Bytes before the batch length is counted from: baseOffset and batchLength themselves.</summary>
    public const int LogOverhead = 12;
    public const int BaseOffsetOffset = 0;
    public const int BatchLengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordCountOffset = 57;

    public long BaseOffset { get; init; }
    public int BatchLength { get; init; }
    public int PartitionLeaderEpoch { get; init; }
    public sbyte Magic { get; init; }
    public uint Crc { get; init; }
    public short Attributes { get; init; }
    public int LastOffsetDelta { get; init; }
    public long BaseTimestamp { get; init; }
    public long MaxTimestamp { get; init; }
    public long ProducerId { get; init; }
    public short ProducerEpoch { get; init; }
    public int BaseSequence { get; init; }
    public int RecordCount { get; init; }

    /// <summary>Total bytes of the batch on the wire: the 12 bytes of offset and length plus the batch length.</summary>
    public int TotalSize => LogOverhead + BatchLength;
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public CompressionCodec Compression => (CompressionCodec)(Attributes & 0x07);
    public bool IsLogAppendTime => (Attributes & 0x08) != 0;
    public bool IsTransactional => (Attributes & 0x10) != 0;
    public bool IsControl => (Attributes & 0x20) != 0;
    public int LastSequence => BaseSequence < 0 ? -1 : unchecked((int)(((long)BaseSequence + LastOffsetDelta) % ((long)int.MaxValue + 1)));

    /// <summary>Reads the header fields without validating them; <paramref name="batch"/> must hold at least <see cref="Size"/> bytes.</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch) => new()
    {
        BaseOffset = BinaryPrimitives.ReadInt64BigEndian(batch),
        BatchLength = BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthOffset..]),
        PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(batch[PartitionLeaderEpochOffset..]),
        Magic = (sbyte)batch[MagicOffset],
        Crc = BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]),
        Attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]),
        LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]),
        BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[BaseTimestampOffset..]),
        MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]),
        ProducerId = BinaryPrimitives.ReadInt64BigEndian(batch[ProducerIdOffset..]),
        ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(batch[ProducerEpochOffset..]),
        BaseSequence = BinaryPrimitives.ReadInt32BigEndian(batch[BaseSequenceOffset..]),
        RecordCount = BinaryPrimitives.ReadInt32BigEndian(batch[RecordCountOffset..]),
    };

    /// <summary>Writes every field, <see cref="Crc"/> as it is, into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[BatchLengthOffset..], BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(destination[PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        destination[MagicOffset] = (byte)Magic;
        BinaryPrimitives.WriteUInt32BigEndian(destination[CrcOffset..], Crc);
        BinaryPrimitives.WriteInt16BigEndian(destination[AttributesOffset..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(destination[LastOffsetDeltaOffset..], LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(destination[BaseTimestampOffset..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[MaxTimestampOffset..], MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(destination[ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(destination[BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordCountOffset..], RecordCount);
    }

    /// <summary>Computes the CRC-32C of attributes..end of <paramref name="batch"/> (exactly one batch), stores it and returns it.</summary>
    public static uint WriteCrc(Span<byte> batch)
    {
        uint crc = Crc32C.Compute(batch[AttributesOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], crc);
        return crc;
    }

    /// <summary>The only header rewrite a broker does: assign the offset and stamp the leader epoch (both outside the CRC).</summary>
    public static void AssignOffset(Span<byte> batch, long baseOffset, int partitionLeaderEpoch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], partitionLeaderEpoch);
    }

    /// <summary>CRC-32C of attributes..end, compared with the stored CRC. <paramref name="batch"/> is exactly one batch.</summary>
    public static bool HasValidCrc(ReadOnlySpan<byte> batch)
    {
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]);
        return Crc32C.Compute(batch[AttributesOffset..]) == stored;
    }
}

public enum CompressionCodec : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
