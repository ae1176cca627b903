using System.Buffers.Binary;

namespace Runnel.Grains.Storage;

/// <summary>
/// The index object uploaded beside each segment: its sparse offset and time indexes, so a read deep inside a
/// segment that lives only in the blob tier costs one small GET plus a ranged read, not a scan from its start.
/// Layout (big-endian): "RNIX", version 1, offset entry count, time entry count, then (offset, position) and
/// (max timestamp before, position) pairs of 64-bit integers.
/// </summary>
internal static class SegmentIndexFile
{
    private const uint Magic = 0x524E4958; // "RNIX"
    private const int Version = 1;
    private const int HeaderSize = 16;

    public static byte[] Write(SegmentState state)
    {
        var bytes = new byte[HeaderSize + ((state.OffsetIndexCount + state.TimeIndexCount) * 16)];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt32BigEndian(span, Magic);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], state.OffsetIndexCount);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], state.TimeIndexCount);
        int position = HeaderSize;
        for (int i = 0; i < state.OffsetIndexCount; i++, position += 16)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[position..], state.OffsetIndex[i].Offset);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 8)..], state.OffsetIndex[i].Position);
        }

        for (int i = 0; i < state.TimeIndexCount; i++, position += 16)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[position..], state.TimeIndex[i].MaxTimestampBefore);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 8)..], state.TimeIndex[i].Position);
        }

        return bytes;
    }

    /// <summary>Parses an index object; false (and empty indexes) when it is not one this version wrote.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out OffsetIndexEntry[] offsets, out TimeIndexEntry[] times)
    {
        offsets = [];
        times = [];
        if (data.Length < HeaderSize || BinaryPrimitives.ReadUInt32BigEndian(data) != Magic || BinaryPrimitives.ReadInt32BigEndian(data[4..]) != Version)
        {
            return false;
        }

        int offsetCount = BinaryPrimitives.ReadInt32BigEndian(data[8..]);
        int timeCount = BinaryPrimitives.ReadInt32BigEndian(data[12..]);
        if (offsetCount < 0 || timeCount < 0 || (long)(offsetCount + (long)timeCount) * 16 != data.Length - HeaderSize)
        {
            return false;
        }

        offsets = new OffsetIndexEntry[offsetCount];
        times = new TimeIndexEntry[timeCount];
        int position = HeaderSize;
        for (int i = 0; i < offsetCount; i++, position += 16)
        {
            offsets[i] = new OffsetIndexEntry(BinaryPrimitives.ReadInt64BigEndian(data[position..]), BinaryPrimitives.ReadInt64BigEndian(data[(position + 8)..]));
        }

        for (int i = 0; i < timeCount; i++, position += 16)
        {
            times[i] = new TimeIndexEntry(BinaryPrimitives.ReadInt64BigEndian(data[position..]), BinaryPrimitives.ReadInt64BigEndian(data[(position + 8)..]));
        }

        return true;
    }
}
