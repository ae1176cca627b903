using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Runnel.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of Kafka record batch v2. Uses the SSE4.2 / ARMv8 CRC32
/// instruction when the processor has it and a slicing table otherwise.
/// </summary>
public static partial class Crc32C
{
    private const uint Polynomial = 0x82F63B78u; // reversed Castagnoli
    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>Continues a running (not yet inverted) CRC; start with 0xFFFFFFFF and invert at the end.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            return data.Length >= InterleavedMinimumBytes ? AppendSse42X64Interleaved(crc, data) : AppendSse42X64(crc, data);
        }

        if (Crc32.Arm64.IsSupported)
        {
            return AppendArm64(crc, data);
        }

        return AppendTable(crc, data);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AppendSse42X64(uint crc, ReadOnlySpan<byte> data)
    {
        ulong c = crc;
        while (data.Length >= 8)
        {
            c = Sse42.X64.Crc32(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        uint c32 = (uint)c;
        foreach (byte b in data)
        {
            c32 = Sse42.Crc32(c32, b);
        }

        return c32;
    }

    private static uint AppendArm64(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = Crc32.Arm64.ComputeCrc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = Crc32.ComputeCrc32C(crc, b);
        }

        return crc;
    }

    internal static uint AppendTable(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
