using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>Big-endian reader over a response body.</summary>
public sealed class WireReader(byte[] buffer, int offset = 0)
{
    public int Position { get; private set; } = offset;

    public int Remaining => buffer.Length - Position;

    public sbyte Int8() => (sbyte)Take(1)[0];

    public bool Bool() => Int8() != 0;

    public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public string? String()
    {
        var length = Int16();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public byte[]? Bytes()
    {
        var length = Int32();
        return length < 0 ? null : Take(length).ToArray();
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new FormatException($"Response too short: wanted {count} bytes at {Position}, {Remaining} left.");
        }

        var span = buffer.AsSpan(Position, count);
        Position += count;
        return span;
    }
}
