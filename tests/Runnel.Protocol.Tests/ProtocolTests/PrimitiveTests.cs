using System.Runtime.InteropServices;
using Runnel.Protocol;

namespace Runnel.Protocol.Tests.ProtocolTests;

public class PrimitiveTests
{
    private static byte[] Write(Action<KafkaWriter> write)
    {
        using var writer = new KafkaWriter(1);
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    private delegate T ReadFunc<T>(ref KafkaReader reader);

    private static T Read<T>(byte[] bytes, ReadFunc<T> read, bool expectConsumed = true)
    {
        var reader = new KafkaReader(bytes);
        T value = read(ref reader);
        if (expectConsumed)
        {
            Assert.Equal(0, reader.Remaining);
        }

        return value;
    }

    private static void AssertMalformed(byte[] bytes, ReadFunc<object?> read)
    {
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            read(ref reader);
        });
    }

    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(1u, new byte[] { 0x01 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(16383u, new byte[] { 0xFF, 0x7F })]
    [InlineData(16384u, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void UnsignedVarInt_RoundTrips(uint value, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteUnsignedVarInt(value)));
        Assert.Equal(value, Read(expected, (ref KafkaReader r) => r.ReadUnsignedVarInt()));
        Assert.Equal(expected.Length, KafkaWriter.SizeOfUnsignedVarInt(value));
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-2, new byte[] { 0x03 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void VarInt_ZigZag(int value, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteVarInt(value)));
        Assert.Equal(value, Read(expected, (ref KafkaReader r) => r.ReadVarInt()));
    }

    [Theory]
    [InlineData(0L, new byte[] { 0x00 })]
    [InlineData(-1L, new byte[] { 0x01 })]
    [InlineData(1L, new byte[] { 0x02 })]
    [InlineData(long.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    [InlineData(long.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void VarLong_ZigZag(long value, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteVarLong(value)));
        Assert.Equal(value, Read(expected, (ref KafkaReader r) => r.ReadVarLong()));
    }

    [Fact]
    public void VarInt_TooLongOrOverflowing_Throws()
    {
        AssertMalformed([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], (ref KafkaReader r) => r.ReadUnsignedVarInt());
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFF, 0x10], (ref KafkaReader r) => r.ReadUnsignedVarInt());
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFF, 0x1F], (ref KafkaReader r) => r.ReadVarInt());
        AssertMalformed([0x80, 0x80], (ref KafkaReader r) => r.ReadVarInt());
        AssertMalformed([], (ref KafkaReader r) => r.ReadVarInt());
        AssertMalformed([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], (ref KafkaReader r) => r.ReadVarLong());
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], (ref KafkaReader r) => r.ReadVarLong());
    }

    [Fact]
    public void FixedWidth_AreBigEndian()
    {
        byte[] bytes = Write(w =>
        {
            w.WriteInt8(-2);
            w.WriteInt16(0x0102);
            w.WriteUInt16(0xFFFE);
            w.WriteInt32(0x01020304);
            w.WriteUInt32(0xFFFFFFFE);
            w.WriteInt64(0x0102030405060708);
            w.WriteFloat64(1.5);
            w.WriteBoolean(true);
            w.WriteBoolean(false);
        });
        Assert.Equal(
            new byte[]
            {
                0xFE, 0x01, 0x02, 0xFF, 0xFE, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF, 0xFE,
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
            },
            bytes);
        var reader = new KafkaReader(bytes);
        Assert.Equal(-2, reader.ReadInt8());
        Assert.Equal(0x0102, reader.ReadInt16());
        Assert.Equal(0xFFFE, reader.ReadUInt16());
        Assert.Equal(0x01020304, reader.ReadInt32());
        Assert.Equal(0xFFFFFFFE, reader.ReadUInt32());
        Assert.Equal(0x0102030405060708, reader.ReadInt64());
        Assert.Equal(1.5, reader.ReadFloat64());
        Assert.True(reader.ReadBoolean());
        Assert.False(reader.ReadBoolean());
        Assert.Equal(bytes.Length, reader.Position);
        Assert.Equal(0, reader.Remaining);
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var r = new KafkaReader(new byte[3]);
            r.ReadInt32();
        });
    }

    [Fact]
    public void Uuid_IsBigEndian()
    {
        byte[] wire = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        var expected = Guid.Parse("00010203-0405-0607-0809-0a0b0c0d0e0f");
        Assert.Equal(expected, Read(wire, (ref KafkaReader r) => r.ReadUuid()));
        Assert.Equal(wire, Write(w => w.WriteUuid(expected)));
    }

    [Theory]
    [InlineData(null, false, new byte[] { 0xFF, 0xFF })]
    [InlineData(null, true, new byte[] { 0x00 })]
    [InlineData("", false, new byte[] { 0x00, 0x00 })]
    [InlineData("", true, new byte[] { 0x01 })]
    [InlineData("ab", false, new byte[] { 0x00, 0x02, (byte)'a', (byte)'b' })]
    [InlineData("ab", true, new byte[] { 0x03, (byte)'a', (byte)'b' })]
    [InlineData("\u00e9", true, new byte[] { 0x03, 0xC3, 0xA9 })]
    public void Strings_ClassicAndCompact(string? value, bool compact, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteString(value, compact)));
        Assert.Equal(value, Read(expected, (ref KafkaReader r) => r.ReadNullableString(compact)));
        if (value is null)
        {
            AssertMalformed(expected, (ref KafkaReader r) => r.ReadString(compact));
        }
        else
        {
            Assert.Equal(value, Read(expected, (ref KafkaReader r) => r.ReadString(compact)));
        }
    }

    [Fact]
    public void Strings_Malformed_Throw()
    {
        AssertMalformed([0xFF, 0xFE], (ref KafkaReader r) => r.ReadNullableString(false));   // -2
        AssertMalformed([0x00, 0x03, 0x61, 0x62], (ref KafkaReader r) => r.ReadString(false)); // longer than remaining
        AssertMalformed([0x7F, 0xFF], (ref KafkaReader r) => r.ReadString(false));
        AssertMalformed([0x00, 0x02, 0xC3, 0x28], (ref KafkaReader r) => r.ReadString(false)); // invalid UTF-8
        AssertMalformed([0x04, 0x61], (ref KafkaReader r) => r.ReadString(true));
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], (ref KafkaReader r) => r.ReadString(true));
        AssertMalformed([0x00], (ref KafkaReader r) => r.ReadString(false));
    }

    [Fact]
    public void String_LongerThanInt16_IsRejectedForClassicEncoding()
    {
        string big = new('x', short.MaxValue + 1);
        Assert.Throws<KafkaProtocolException>(() => Write(w => w.WriteString(big, compact: false)));
        byte[] compact = Write(w => w.WriteString(big, compact: true));
        Assert.Equal(big, Read(compact, (ref KafkaReader r) => r.ReadString(true)));
        string max = new('y', short.MaxValue);
        byte[] classic = Write(w => w.WriteString(max, compact: false));
        Assert.Equal(max, Read(classic, (ref KafkaReader r) => r.ReadString(false)));
    }

    [Fact]
    public void Bytes_AreSlicesOfTheInput()
    {
        byte[] wire = [0x00, 0x00, 0x00, 0x03, 1, 2, 3, 0x04, 7, 8, 9];
        var reader = new KafkaReader(wire);
        ReadOnlyMemory<byte> classic = reader.ReadBytes(false);
        ReadOnlyMemory<byte>? compact = reader.ReadNullableBytes(true);
        Assert.Equal(0, reader.Remaining);
        Assert.True(MemoryMarshal.TryGetArray(classic, out ArraySegment<byte> seg));
        Assert.Same(wire, seg.Array);
        Assert.Equal(4, seg.Offset);
        Assert.Equal(new byte[] { 7, 8, 9 }, compact!.Value.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(compact.Value, out ArraySegment<byte> seg2));
        Assert.Same(wire, seg2.Array);
    }

    [Fact]
    public void Bytes_NullAndMalformed()
    {
        Assert.Null(Read([0xFF, 0xFF, 0xFF, 0xFF], (ref KafkaReader r) => r.ReadNullableBytes(false)));
        Assert.Null(Read([0x00], (ref KafkaReader r) => r.ReadNullableBytes(true)));
        Assert.Null(Read([0xFF, 0xFF, 0xFF, 0xFF], (ref KafkaReader r) => r.ReadRecords(false)));
        Assert.Null(Read([0x00], (ref KafkaReader r) => r.ReadRecords(true)));
        Assert.Equal(2, Read([0x03, 1, 2], (ref KafkaReader r) => r.ReadRecords(true))!.Value.Length);
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFF], (ref KafkaReader r) => r.ReadBytes(false));
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFE], (ref KafkaReader r) => r.ReadNullableBytes(false));
        AssertMalformed([0x7F, 0xFF, 0xFF, 0xFF, 1], (ref KafkaReader r) => r.ReadNullableBytes(false));
        AssertMalformed([0x05, 1], (ref KafkaReader r) => r.ReadRecords(true));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, Write(w => w.WriteNullableBytes(null, false)));
        Assert.Equal(new byte[] { 0x00 }, Write(w => w.WriteRecords(null, true)));
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x09 }, Write(w => w.WriteBytes([9], false)));
        Assert.Equal(new byte[] { 0x02, 0x09 }, Write(w => w.WriteNullableBytes(new byte[] { 9 }, true)));
    }

    [Theory]
    [InlineData(-1, false, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(-1, true, new byte[] { 0x00 })]
    [InlineData(0, false, new byte[] { 0x00, 0x00, 0x00, 0x00 })]
    [InlineData(0, true, new byte[] { 0x01 })]
    public void ArrayLength_NullAndEmpty(int count, bool compact, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteArrayLength(count, compact)));
        Assert.Equal(count, Read(expected, (ref KafkaReader r) => r.ReadArrayLength(compact)));
    }

    [Fact]
    public void ArrayLength_LargerThanRemaining_Throws()
    {
        AssertMalformed([0x7F, 0xFF, 0xFF, 0xFF], (ref KafkaReader r) => r.ReadArrayLength(false));
        AssertMalformed([0x00, 0x00, 0x00, 0x02, 0x01], (ref KafkaReader r) => r.ReadArrayLength(false));
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFE], (ref KafkaReader r) => r.ReadArrayLength(false));
        AssertMalformed([0x80, 0x80, 0x80, 0x80, 0x08], (ref KafkaReader r) => r.ReadArrayLength(true));
        AssertMalformed([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], (ref KafkaReader r) => r.ReadArrayLength(true));
        Assert.Equal(2, Read([0x00, 0x00, 0x00, 0x02, 0x01, 0x01], (ref KafkaReader r) => r.ReadArrayLength(false), expectConsumed: false));
    }

    [Fact]
    public void TaggedFields_WriteAndSkip()
    {
        byte[] big = new byte[300];
        big.AsSpan().Fill(0xAB);
        byte[] bytes = Write(w =>
        {
            w.WriteTaggedFieldCount(2);
            int p = w.BeginTaggedField(1);
            w.WriteInt8(5);
            w.EndTaggedField(p);
            p = w.BeginTaggedField(200);
            w.WriteRaw(big);
            w.EndTaggedField(p);
            w.WriteInt8(42);
        });
        Assert.Equal(new byte[] { 0x02, 0x01, 0x01, 0x05, 0xC8, 0x01, 0xAC, 0x02 }, bytes[..8]);
        Assert.Equal(8 + 300 + 1, bytes.Length);
        var reader = new KafkaReader(bytes);
        reader.SkipTaggedFields();
        Assert.Equal(42, reader.ReadInt8());
        Assert.Equal(new byte[] { 0x00 }, Write(w => w.WriteEmptyTaggedFields()));

        var reader2 = new KafkaReader(bytes);
        Assert.Equal(2, reader2.ReadTaggedFieldCount());
        reader2.ReadTaggedFieldHeader(out int tag, out int size);
        Assert.Equal((1, 1), (tag, size));
        Assert.Equal(5, reader2.ReadInt8());

        AssertMalformed([0x01, 0x00, 0x05, 0x00], (ref KafkaReader r) => { r.SkipTaggedFields(); return null; });
        AssertMalformed([0x05, 0x00, 0x00], (ref KafkaReader r) => { r.SkipTaggedFields(); return null; });
    }

    [Fact]
    public void Writer_ReservePatchResetAndGrowth()
    {
        using var writer = new KafkaWriter(4);
        int position = writer.Reserve(4);
        Assert.Equal(0, position);
        for (int i = 0; i < 1000; i++)
        {
            writer.WriteInt32(i);
        }

        writer.PatchInt32(position, writer.Length - 4);
        Assert.Equal(4004, writer.Length);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x0F, 0xA0 }, writer.WrittenSpan[..4].ToArray());
        Assert.Equal(writer.WrittenSpan.ToArray(), writer.WrittenMemory.ToArray());
        Assert.Equal(999, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(writer.WrittenSpan[^4..]));
        writer.Reset();
        Assert.Equal(0, writer.Length);
        writer.WriteRaw([1, 2]);
        Assert.Equal(new byte[] { 1, 2 }, writer.WrittenSpan.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.PatchInt32(0, 1));
    }
}
