using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>Big-endian writer for hand-built Kafka requests (classic, non-flexible encodings unless noted).</summary>
public sealed class WireWriter
{
    private readonly MemoryStream _buffer = new();

    public int Length => (int)_buffer.Length;

    public WireWriter Int8(sbyte value)
    {
        _buffer.WriteByte((byte)value);
        return this;
    }

    public WireWriter Bool(bool value) => Int8(value ? (sbyte)1 : (sbyte)0);

    public WireWriter Int16(short value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireWriter Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireWriter UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireWriter Int64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    /// <summary>STRING / NULLABLE_STRING: int16 length (-1 = null) then UTF-8.</summary>
    public WireWriter String(string? value)
    {
        if (value is null)
        {
            return Int16(-1);
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        Int16(checked((short)bytes.Length));
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>BYTES / NULLABLE_BYTES: int32 length (-1 = null) then the bytes.</summary>
    public WireWriter Bytes(byte[]? value)
    {
        if (value is null)
        {
            return Int32(-1);
        }

        Int32(value.Length);
        _buffer.Write(value);
        return this;
    }

    public WireWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>Unsigned varint (flexible versions: compact lengths, tag counts).</summary>
    public WireWriter UVarInt(uint value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
        return this;
    }

    /// <summary>Zig-zag varint (record fields).</summary>
    public WireWriter VarInt(int value) => UVarInt((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Zig-zag varlong (record timestamp delta).</summary>
    public WireWriter VarLong(long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            _buffer.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        _buffer.WriteByte((byte)v);
        return this;
    }

    public WireWriter CompactString(string? value)
    {
        if (value is null)
        {
            return UVarInt(0);
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        UVarInt((uint)bytes.Length + 1);
        _buffer.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _buffer.ToArray();

    /// <summary>A request frame: int32 size, request header v1 (api key, version, correlation id, client id), body.</summary>
    public static byte[] Frame(short apiKey, short apiVersion, int correlationId, string? clientId, ReadOnlySpan<byte> body)
    {
        var w = new WireWriter();
        w.Int32(0).Int16(apiKey).Int16(apiVersion).Int32(correlationId).String(clientId).Raw(body);
        var frame = w.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }
}
