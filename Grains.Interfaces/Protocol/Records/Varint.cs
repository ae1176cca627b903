using System.Runtime.CompilerServices;

namespace Runnel.Records;

/// <summary>
/// Kafka's variable-length integers (protobuf style, little-endian base-128, zigzag encoded). An int32 takes at most
/// 5 bytes and an int64 at most 10; a longer encoding, or one whose last byte carries bits beyond the type, is refused.
/// The Try methods never throw: they return false on truncated or over-long input.
/// </summary>
public static class Varint
{
    public const int MaxVarintSize = 5;
    public const int MaxVarlongSize = 10;

    /// <summary>Reads a zigzag int32 from the start of <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarint(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            uint b = source[0];
            value = (int)(b >> 1) ^ -(int)(b & 1);
            bytesRead = 1;
            return true;
        }

        // Two bytes: the length of every record from 64 bytes to 8 KiB, so worth its own branch.
        if (source.Length > 1 && source[1] < 0x80)
        {
            uint raw = (source[0] & 0x7Fu) | ((uint)source[1] << 7);
            value = (int)(raw >> 1) ^ -(int)(raw & 1);
            bytesRead = 2;
            return true;
        }

        return TryReadVarintSlow(source, out value, out bytesRead);
    }

    private static bool TryReadVarintSlow(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        uint raw = 0;
        int limit = Math.Min(source.Length, MaxVarintSize);
        for (int i = 0; i < limit; i++)
        {
            uint b = source[i];
            if (i == MaxVarintSize - 1 && b > 0x0F)
            {
                break; // the fifth byte may hold only the top 4 bits
            }

            raw |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>Reads a zigzag int64 from the start of <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarlong(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            ulong b = source[0];
            value = (long)(b >> 1) ^ -(long)(b & 1);
            bytesRead = 1;
            return true;
        }

        return TryReadVarlongSlow(source, out value, out bytesRead);
    }

    private static bool TryReadVarlongSlow(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        ulong raw = 0;
        int limit = Math.Min(source.Length, MaxVarlongSize);
        for (int i = 0; i < limit; i++)
        {
            ulong b = source[i];
            if (i == MaxVarlongSize - 1 && b > 0x01)
            {
                break; // the tenth byte may hold only the top bit
            }

            raw |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }

    public static int SizeOfVarint(int value) => SizeOfUnsigned(ZigZag(value));

    public static int SizeOfVarlong(long value) => SizeOfUnsigned(ZigZag(value));

    /// <summary>Writes a zigzag int32; <paramref name="destination"/> must have room (at most <see cref="MaxVarintSize"/> bytes).</summary>
    public static int WriteVarint(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZag(value));

    /// <summary>Writes a zigzag int64; <paramref name="destination"/> must have room (at most <see cref="MaxVarlongSize"/> bytes).</summary>
    public static int WriteVarlong(Span<byte> destination, long value) => WriteUnsigned(destination, ZigZag(value));

    private static ulong ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static int SizeOfUnsigned(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
