using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Runnel.Protocol;

/// <summary>
/// Big-endian reader of Kafka protocol primitives over a buffer. Byte fields and record sets are returned as
/// slices of the input (no copy). Every kind of malformed input (truncation, negative or oversized lengths,
/// over-long varints, invalid UTF-8) throws <see cref="KafkaProtocolException"/>; lengths are checked against
/// the remaining bytes before anything is allocated.
/// </summary>
public ref struct KafkaReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> buffer)
    {
        _memory = buffer;
        _span = buffer.Span;
        _position = 0;
    }

    /// <summary>Offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left to read.</summary>
    public readonly int Remaining => _span.Length - _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ProtocolThrowHelper.ThrowTruncated(count, _span.Length - _position);
        }

        ReadOnlySpan<byte> slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Advances past <paramref name="count"/> bytes.</summary>
    public void Skip(int count) => Take(count);

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>Reads a boolean; any non-zero byte is true (as in Kafka).</summary>
    public bool ReadBoolean() => Take(1)[0] != 0;

    /// <summary>Reads a UUID: 16 bytes, most significant first.</summary>
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    /// <summary>Reads an unsigned LEB128 varint of at most 5 bytes that fits in 32 bits.</summary>
    public uint ReadUnsignedVarInt()
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = Take(1)[0];
            if (shift == 28 && b > 0x0F)
            {
                ProtocolThrowHelper.ThrowVarIntTooLong();
            }

            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        ProtocolThrowHelper.ThrowVarIntTooLong();
        return 0;
    }

    /// <summary>Reads an unsigned LEB128 varint of at most 10 bytes that fits in 64 bits.</summary>
    public ulong ReadUnsignedVarLong()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = Take(1)[0];
            if (shift == 63 && b > 0x01)
            {
                ProtocolThrowHelper.ThrowVarIntTooLong();
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        ProtocolThrowHelper.ThrowVarIntTooLong();
        return 0;
    }

    /// <summary>Reads a zigzag-encoded signed varint (at most 5 bytes).</summary>
    public int ReadVarInt()
    {
        uint raw = ReadUnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    /// <summary>Reads a zigzag-encoded signed varlong (at most 10 bytes).</summary>
    public long ReadVarLong()
    {
        ulong raw = ReadUnsignedVarLong();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>
    /// Reads a length prefix: classic = int16 (strings) or int32 (bytes, arrays) with -1 for null; compact =
    /// unsigned varint N+1 with 0 for null. Returns -1 for null. Rejects lengths above the remaining bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ReadLength(bool compact, bool shortPrefix)
    {
        long length;
        if (compact)
        {
            length = (long)ReadUnsignedVarInt() - 1;
        }
        else
        {
            length = shortPrefix ? ReadInt16() : ReadInt32();
        }

        if (length < -1 || length > Remaining)
        {
            ProtocolThrowHelper.ThrowInvalidLength(length, Remaining);
        }

        return (int)length;
    }

    /// <summary>Reads a non-null string; a null on the wire throws.</summary>
    public string ReadString(bool compact)
    {
        string? value = ReadNullableString(compact);
        if (value is null)
        {
            ProtocolThrowHelper.ThrowUnexpectedNull();
        }

        return value;
    }

    /// <summary>Reads a UTF-8 string that may be null.</summary>
    public string? ReadNullableString(bool compact)
    {
        int length = ReadLength(compact, shortPrefix: true);
        if (length < 0)
        {
            return null;
        }

        if (length == 0)
        {
            return string.Empty;
        }

        ReadOnlySpan<byte> bytes = Take(length);
        if (!Utf8.IsValid(bytes))
        {
            ProtocolThrowHelper.ThrowInvalidUtf8();
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads non-null bytes as a slice of the input; a null on the wire throws.</summary>
    public ReadOnlyMemory<byte> ReadBytes(bool compact)
    {
        ReadOnlyMemory<byte>? value = ReadNullableBytes(compact);
        if (value is null)
        {
            ProtocolThrowHelper.ThrowUnexpectedNull();
        }

        return value.GetValueOrDefault();
    }

    /// <summary>Reads bytes that may be null, as a slice of the input.</summary>
    public ReadOnlyMemory<byte>? ReadNullableBytes(bool compact)
    {
        int length = ReadLength(compact, shortPrefix: false);
        if (length < 0)
        {
            return null;
        }

        ReadOnlyMemory<byte> slice = _memory.Slice(_position, length);
        _position += length;
        return slice;
    }

    /// <summary>Reads a record set (nullable bytes with an int32 or compact length) as a slice of the input.</summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact) => ReadNullableBytes(compact);

    /// <summary>
    /// Reads an array length; -1 means null. Since every element takes at least one byte, a count above the
    /// remaining bytes is rejected here, before the caller allocates anything.
    /// </summary>
    public int ReadArrayLength(bool compact) => ReadLength(compact, shortPrefix: false);

    /// <summary>Reads the number of tagged fields that follow (each takes at least two bytes).</summary>
    public int ReadTaggedFieldCount()
    {
        uint count = ReadUnsignedVarInt();
        if (count > (uint)Remaining)
        {
            ProtocolThrowHelper.ThrowInvalidLength(count, Remaining);
        }

        return (int)count;
    }

    /// <summary>Reads one tagged field's tag and size; the size is checked against the remaining bytes.</summary>
    public void ReadTaggedFieldHeader(out int tag, out int size)
    {
        uint rawTag = ReadUnsignedVarInt();
        if (rawTag > int.MaxValue)
        {
            ProtocolThrowHelper.ThrowInvalidLength(rawTag, Remaining);
        }

        uint rawSize = ReadUnsignedVarInt();
        if (rawSize > (uint)Remaining)
        {
            ProtocolThrowHelper.ThrowInvalidLength(rawSize, Remaining);
        }

        tag = (int)rawTag;
        size = (int)rawSize;
    }

    /// <summary>Checks that a known tagged field consumed exactly the bytes its size announced.</summary>
    public readonly void EndTaggedField(int expectedEnd)
    {
        if (_position != expectedEnd)
        {
            ProtocolThrowHelper.ThrowTaggedFieldSizeMismatch(expectedEnd, _position);
        }
    }

    /// <summary>Reads a tagged-field section and skips every field in it.</summary>
    public void SkipTaggedFields()
    {
        int count = ReadTaggedFieldCount();
        for (int i = 0; i < count; i++)
        {
            ReadTaggedFieldHeader(out _, out int size);
            Skip(size);
        }
    }
}
