using System.Text;
using Runnel.Records;

namespace Runnel.Protocol.Tests.RecordTests;

public class Crc32CTests
{
    public static TheoryData<string, uint> Vectors => new()
    {
        // RFC 3720 (iSCSI) appendix B.4 and the classic check value.
        { "123456789", 0xE3069283u },
        { "zeros32", 0x8A9136AAu },
        { "ones32", 0x62A8AB43u },
        { "ascending32", 0x46DD794Eu },
        { "descending32", 0x113FDB5Cu },
        { "empty", 0x00000000u },
        { "a", 0xC1D04330u },
    };

    private static byte[] Input(string name) => name switch
    {
        "zeros32" => new byte[32],
        "ones32" => Enumerable.Repeat((byte)0xFF, 32).ToArray(),
        "ascending32" => Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        "descending32" => Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(),
        "empty" => [],
        _ => Encoding.ASCII.GetBytes(name),
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void KnownVectorOnTheDefaultPath(string name, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(Input(name)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void KnownVectorOnTheTablePath(string name, uint expected)
    {
        Assert.Equal(expected, ~Crc32C.AppendTable(0xFFFFFFFFu, Input(name)));
    }

    [Fact]
    public void HardwareAndTablePathsAgreeOnEveryLengthAndAlignment()
    {
        var random = new Random(20240601);
        var data = new byte[1100];
        random.NextBytes(data);
        for (int start = 0; start < 9; start++)
        {
            for (int length = 0; length < 1024; length += length < 40 ? 1 : 37)
            {
                ReadOnlySpan<byte> slice = data.AsSpan(start, length);
                Assert.Equal(~Crc32C.AppendTable(0xFFFFFFFFu, slice), Crc32C.Compute(slice));
            }
        }
    }

    [Fact]
    public void TheInterleavedPathAgreesWithTheTableAroundEveryRoundBoundary()
    {
        // Rounds are 3 x 4 KiB: lengths just below, at and above one, two and many rounds, from odd starts and states.
        var random = new Random(20261122);
        var data = new byte[(3 * 3 * 4096) + 100];
        random.NextBytes(data);
        int[] lengths = [0, 1, 12_287, 12_288, 12_289, 12_295, 24_575, 24_576, 24_583, 36_864, 36_900];
        foreach (int length in lengths)
        {
            for (int start = 0; start < 3; start++)
            {
                uint state = (uint)random.Next() | 1u;
                ReadOnlySpan<byte> slice = data.AsSpan(start, Math.Min(length, data.Length - start));
                Assert.Equal(Crc32C.AppendTable(state, slice), Crc32C.Append(state, slice));
            }
        }

        for (int i = 0; i < 50; i++)
        {
            int length = random.Next(12_000, data.Length);
            Assert.Equal(~Crc32C.AppendTable(0xFFFFFFFFu, data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        }
    }

    [Fact]
    public void AppendInPiecesEqualsOneShot()
    {
        var random = new Random(7);
        var data = new byte[777];
        random.NextBytes(data);
        uint crc = 0xFFFFFFFFu;
        int pos = 0;
        while (pos < data.Length)
        {
            int n = Math.Min(random.Next(1, 50), data.Length - pos);
            crc = Crc32C.Append(crc, data.AsSpan(pos, n));
            pos += n;
        }

        Assert.Equal(Crc32C.Compute(data), ~crc);
    }
}
