using System.Buffers.Binary;
using System.Text;

namespace Runnel.Grains.Groups;

/// <summary>
/// Encodes the records of the offsets topic in Kafka's layout, so its records read the same way Kafka's do:
/// key = int16 version 1, group, topic, int32 partition; value = int16 version 3, int64 offset, int32 leader epoch,
/// metadata, int64 commit timestamp; a null value (tombstone) deletes the offset. Strings are int16-length UTF-8.
/// </summary>
public static class OffsetRecordCodec
{
    private const short OffsetKeyVersion = 1;
    private const short OffsetValueVersion = 3;

    public static byte[] EncodeKey(string group, string topic, int partition)
    {
        var buffer = new byte[2 + StringSize(group) + StringSize(topic) + 4];
        int pos = WriteInt16(buffer, 0, OffsetKeyVersion);
        pos = WriteString(buffer, pos, group);
        pos = WriteString(buffer, pos, topic);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(pos), partition);
        return buffer;
    }

    public static byte[] EncodeValue(CommittedOffset offset)
    {
        ArgumentNullException.ThrowIfNull(offset);
        string metadata = offset.Metadata ?? string.Empty;
        var buffer = new byte[2 + 8 + 4 + StringSize(metadata) + 8];
        int pos = WriteInt16(buffer, 0, OffsetValueVersion);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(pos), offset.Offset);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(pos + 8), offset.LeaderEpoch);
        pos = WriteString(buffer, pos + 12, metadata);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(pos), offset.CommitTimestampMs);
        return buffer;
    }

    /// <summary>Decodes an offset key; false for other key versions (e.g. Kafka's group metadata records), which are skipped.</summary>
    public static bool TryDecodeKey(ReadOnlySpan<byte> key, out string group, out string topic, out int partition)
    {
        group = topic = string.Empty;
        partition = -1;
        if (key.Length < 2)
        {
            return false;
        }

        short version = BinaryPrimitives.ReadInt16BigEndian(key);
        if (version is not (0 or 1))
        {
            return false;
        }

        int pos = 2;
        if (!TryReadString(key, ref pos, out group) || !TryReadString(key, ref pos, out topic) || key.Length - pos < 4)
        {
            return false;
        }

        partition = BinaryPrimitives.ReadInt32BigEndian(key[pos..]);
        return true;
    }

    /// <summary>Decodes value versions 0-3 (Kafka's history of this record); false when malformed.</summary>
    public static bool TryDecodeValue(ReadOnlySpan<byte> value, out CommittedOffset offset)
    {
        offset = new CommittedOffset(-1, -1, null, -1);
        if (value.Length < 10)
        {
            return false;
        }

        short version = BinaryPrimitives.ReadInt16BigEndian(value);
        long committed = BinaryPrimitives.ReadInt64BigEndian(value[2..]);
        int pos = 10;
        int leaderEpoch = -1;
        if (version >= 3)
        {
            if (value.Length - pos < 4)
            {
                return false;
            }

            leaderEpoch = BinaryPrimitives.ReadInt32BigEndian(value[pos..]);
            pos += 4;
        }

        if (!TryReadString(value, ref pos, out string metadata) || value.Length - pos < 8)
        {
            return false;
        }

        long timestamp = BinaryPrimitives.ReadInt64BigEndian(value[pos..]);
        offset = new CommittedOffset(committed, leaderEpoch, metadata, timestamp);
        return true;
    }

    private static int StringSize(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    private static int WriteInt16(byte[] buffer, int pos, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(pos), value);
        return pos + 2;
    }

    private static int WriteString(byte[] buffer, int pos, string value)
    {
        int length = Encoding.UTF8.GetBytes(value, buffer.AsSpan(pos + 2));
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(pos), checked((short)length));
        return pos + 2 + length;
    }

    private static bool TryReadString(ReadOnlySpan<byte> span, ref int pos, out string value)
    {
        value = string.Empty;
        if (span.Length - pos < 2)
        {
            return false;
        }

        short length = BinaryPrimitives.ReadInt16BigEndian(span[pos..]);
        pos += 2;
        if (length < 0)
        {
            return true;
        }

        if (span.Length - pos < length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(span.Slice(pos, length));
        pos += length;
        return true;
    }
}
