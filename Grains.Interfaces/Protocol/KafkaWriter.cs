using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Runnel.Protocol;

/// <summary>
/// Big-endian writer of Kafka protocol primitives into a growable buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>. Dispose returns the buffer; <see cref="WrittenMemory"/> is invalid afterwards.
/// </summary>
public sealed class KafkaWriter : IDisposable
{
    private const int DefaultCapacity = 256;

    private byte[] _buffer;
    private int _length;

    public KafkaWriter()
        : this(DefaultCapacity)
    {
    }

    public KafkaWriter(int initialCapacity)
    {
        if (initialCapacity < 0)
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(initialCapacity));
        }

        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
    }

    /// <summary>Number of bytes written so far.</summary>
    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => new(_buffer, 0, _length);

    public ReadOnlySpan<byte> WrittenSpan => new(_buffer, 0, _length);

    /// <summary>Forgets everything written; keeps the buffer.</summary>
    public void Reset() => _length = 0;

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Advance(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }

        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int extra)
    {
        long needed = (long)_length + extra;
        if (needed > Array.MaxLength)
        {
            ProtocolThrowHelper.ThrowValueTooLong("Message", (int)Math.Min(needed, int.MaxValue));
        }

        int newSize = (int)Math.Min(Math.Max(needed, (long)Math.Max(_buffer.Length, 16) * 2), Array.MaxLength);
        byte[] newBuffer = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _length).CopyTo(newBuffer);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = newBuffer;
    }

    /// <summary>Reserves <paramref name="byteCount"/> bytes (zeroed) and returns their position, e.g. for a frame length.</summary>
    public int Reserve(int byteCount)
    {
        if (byteCount < 0)
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(byteCount));
        }

        int position = _length;
        Advance(byteCount).Clear();
        return position;
    }

    /// <summary>Overwrites four already-written bytes at <paramref name="position"/> with a big-endian int32.</summary>
    public void PatchInt32(int position, int value)
    {
        if (position < 0 || position > _length - 4)
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(position));
        }

        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position, 4), value);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Advance(bytes.Length));

    public void WriteInt8(sbyte value) => Advance(1)[0] = (byte)value;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Advance(2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Advance(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Advance(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Advance(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Advance(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Advance(8), value);

    public void WriteBoolean(bool value) => Advance(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>Writes a UUID as 16 bytes, most significant first.</summary>
    public void WriteUuid(Guid value)
    {
        if (!value.TryWriteBytes(Advance(16), bigEndian: true, out _))
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(value));
        }
    }

    /// <summary>Number of bytes <see cref="WriteUnsignedVarInt"/> uses for <paramref name="value"/>.</summary>
    public static int SizeOfUnsignedVarInt(uint value) => ((31 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7) + 1;

    public void WriteUnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Advance(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Advance(1)[0] = (byte)value;
    }

    public void WriteUnsignedVarLong(ulong value)
    {
        while (value >= 0x80)
        {
            Advance(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Advance(1)[0] = (byte)value;
    }

    /// <summary>Writes a zigzag-encoded signed varint.</summary>
    public void WriteVarInt(int value) => WriteUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Writes a zigzag-encoded signed varlong.</summary>
    public void WriteVarLong(long value) => WriteUnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes a length prefix; -1 means null (classic -1, compact 0).</summary>
    private void WriteLength(int length, bool compact, bool shortPrefix)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else if (shortPrefix)
        {
            if (length > short.MaxValue)
            {
                ProtocolThrowHelper.ThrowValueTooLong("String", length);
            }

            WriteInt16((short)length);
        }
        else
        {
            WriteInt32(length);
        }
    }

    /// <summary>Writes a UTF-8 string (classic: int16 length, compact: varint length+1); null writes the null marker.</summary>
    public void WriteString(string? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, shortPrefix: true);
            return;
        }

        int byteCount = Encoding.UTF8.GetByteCount(value);
        if (byteCount == int.MaxValue)
        {
            ProtocolThrowHelper.ThrowValueTooLong("String", byteCount);
        }

        WriteLength(byteCount, compact, shortPrefix: true);
        Encoding.UTF8.GetBytes(value, Advance(byteCount));
    }

    /// <summary>Same as <see cref="WriteString"/>; named for symmetry with the reader.</summary>
    public void WriteNullableString(string? value, bool compact) => WriteString(value, compact);

    /// <summary>Writes non-null bytes (classic: int32 length, compact: varint length+1).</summary>
    public void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        WriteLength(value.Length, compact, shortPrefix: false);
        WriteRaw(value);
    }

    public void WriteNullableBytes(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, shortPrefix: false);
            return;
        }

        WriteBytes(value.GetValueOrDefault().Span, compact);
    }

    /// <summary>Writes a record set as nullable bytes.</summary>
    public void WriteRecords(ReadOnlyMemory<byte>? value, bool compact) => WriteNullableBytes(value, compact);

    /// <summary>Writes an array length; -1 means null.</summary>
    public void WriteArrayLength(int countOrMinus1, bool compact)
    {
        if (countOrMinus1 < -1 || countOrMinus1 == int.MaxValue)
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(countOrMinus1));
        }

        WriteLength(countOrMinus1, compact, shortPrefix: false);
    }

    /// <summary>Writes an empty tagged-field section (a single zero byte).</summary>
    public void WriteEmptyTaggedFields() => Advance(1)[0] = 0;

    /// <summary>Writes the number of tagged fields that follow.</summary>
    public void WriteTaggedFieldCount(int count)
    {
        if (count < 0)
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(count));
        }

        WriteUnsignedVarInt((uint)count);
    }

    /// <summary>
    /// Starts a tagged field: writes the tag and a one-byte size placeholder and returns the position to pass to
    /// <see cref="EndTaggedField"/> after writing the value.
    /// </summary>
    public int BeginTaggedField(int tag)
    {
        if (tag < 0)
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(tag));
        }

        WriteUnsignedVarInt((uint)tag);
        int sizePosition = _length;
        Advance(1)[0] = 0;
        return sizePosition;
    }

    /// <summary>Fills in the size of the tagged field started at <paramref name="sizePosition"/>, widening it if needed.</summary>
    public void EndTaggedField(int sizePosition)
    {
        if (sizePosition < 0 || sizePosition >= _length)
        {
            ProtocolThrowHelper.ThrowArgumentOutOfRange(nameof(sizePosition));
        }

        int valueStart = sizePosition + 1;
        uint size = (uint)(_length - valueStart);
        int sizeBytes = SizeOfUnsignedVarInt(size);
        if (sizeBytes > 1)
        {
            int extra = sizeBytes - 1;
            Advance(extra);
            _buffer.AsSpan(valueStart, (int)size).CopyTo(_buffer.AsSpan(valueStart + extra));
        }

        Span<byte> target = _buffer.AsSpan(sizePosition, sizeBytes);
        for (int i = 0; i < sizeBytes - 1; i++)
        {
            target[i] = (byte)(size | 0x80);
            size >>= 7;
        }

        target[sizeBytes - 1] = (byte)size;
    }
}
