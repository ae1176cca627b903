using Runnel.Records;

namespace Runnel.Protocol.Tests.RecordTests;

public class VarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(300, new byte[] { 0xD8, 0x04 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void VarintEncodingsMatchTheZigzagFormat(int value, byte[] expected)
    {
        var buffer = new byte[Varint.MaxVarintSize];
        int written = Varint.WriteVarint(buffer, value);
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOfVarint(value));
        Assert.True(Varint.TryReadVarint(expected, out int read, out int n));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, n);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1_700_000_000_000L)]
    [InlineData(-1_700_000_000_000L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData((long)int.MaxValue + 1)]
    public void VarlongRoundTrips(long value)
    {
        var buffer = new byte[Varint.MaxVarlongSize];
        int written = Varint.WriteVarlong(buffer, value);
        Assert.Equal(Varint.SizeOfVarlong(value), written);
        Assert.True(Varint.TryReadVarlong(buffer.AsSpan(0, written), out long read, out int n));
        Assert.Equal(value, read);
        Assert.Equal(written, n);
        Assert.False(Varint.TryReadVarlong(buffer.AsSpan(0, written - 1), out _, out _));
    }

    [Fact]
    public void EveryValueOfUpToThreeBytesRoundTripsAndEveryTwoByteInputDecodesLikeTheLongForm()
    {
        var buffer = new byte[Varint.MaxVarintSize];
        for (int value = -(1 << 20); value < (1 << 20); value++)
        {
            int written = Varint.WriteVarint(buffer, value);
            Assert.True(Varint.TryReadVarint(buffer.AsSpan(0, written), out int read, out int n));
            Assert.Equal(value, read);
            Assert.Equal(written, n);
        }

        // Every two-byte input (including non-minimal ones such as 0x80 0x00) against a plain loop decoder.
        for (int first = 0x80; first <= 0xFF; first++)
        {
            for (int second = 0; second < 0x80; second++)
            {
                uint raw = (uint)(first & 0x7F) | ((uint)second << 7);
                Assert.True(Varint.TryReadVarint([(byte)first, (byte)second, 0xFF], out int read, out int n));
                Assert.Equal((int)(raw >> 1) ^ -(int)(raw & 1), read);
                Assert.Equal(2, n);
            }
        }
    }

    [Fact]
    public void RefusesTruncatedAndOverlongEncodings()
    {
        Assert.False(Varint.TryReadVarint([], out _, out _));
        Assert.False(Varint.TryReadVarint([0x80], out _, out _));
        Assert.False(Varint.TryReadVarint([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], out _, out _));
        Assert.False(Varint.TryReadVarint([0xFF, 0xFF, 0xFF, 0xFF, 0x1F], out _, out _));
        Assert.False(Varint.TryReadVarlong([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], out _, out _));
        Assert.False(Varint.TryReadVarlong(new byte[11].Select(_ => (byte)0x80).ToArray(), out _, out _));
    }
}
