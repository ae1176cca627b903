using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Protocol.Tests.ProtocolTests;

public class MalformedInputTests
{
    public static TheoryData<string, short> SampleVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (Type t in ProtocolTestSupport.MessageTypes)
        {
            foreach (short v in ProtocolTestSupport.SampleVersions(t))
            {
                data.Add(t.Name, v);
            }
        }

        return data;
    }

    private static Type TypeOf(string name) => ProtocolTestSupport.MessageTypes.Single(t => t.Name == name);

    [Theory]
    [MemberData(nameof(SampleVersions))]
    public void EveryTruncation_ThrowsKafkaProtocolException(string typeName, short version)
    {
        Type type = TypeOf(typeName);
        byte[] valid = ProtocolTestSupport.Encode(ProtocolTestSupport.Filled(type), version);
        for (int length = 0; length < valid.Length; length++)
        {
            ReadOnlyMemory<byte> prefix = valid.AsMemory(0, length);
            Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(type, prefix, version, out _));
        }

        ProtocolTestSupport.Decode(type, valid, version, out int remaining);
        Assert.Equal(0, remaining);
    }

    [Theory]
    [MemberData(nameof(SampleVersions))]
    public void RandomMutations_OnlyThrowKafkaProtocolException(string typeName, short version)
    {
        Type type = TypeOf(typeName);
        byte[] valid = ProtocolTestSupport.Encode(ProtocolTestSupport.Filled(type), version);
        if (valid.Length == 0)
        {
            return;
        }

        var random = new Random(HashCode.Combine(typeName.Length, version, 12345));
        byte[] buffer = new byte[valid.Length];
        for (int round = 0; round < 300; round++)
        {
            valid.CopyTo(buffer, 0);
            int mutations = 1 + random.Next(3);
            for (int m = 0; m < mutations; m++)
            {
                int index = random.Next(buffer.Length);
                buffer[index] = random.Next(4) switch
                {
                    0 => 0xFF,
                    1 => 0x00,
                    2 => 0x7F,
                    _ => (byte)random.Next(256),
                };
            }

            try
            {
                ProtocolTestSupport.Decode(type, buffer, version, out _);
            }
            catch (KafkaProtocolException)
            {
                // expected for most mutations
            }
        }
    }

    private static long AllocatedBy(Action action)
    {
        action(); // warm up JIT and first-call allocations
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void HugeArrayLength_ThrowsWithoutAllocating()
    {
        byte[] classic = [0x7F, 0xFF, 0xFF, 0xFF, 0x00, 0x00];
        byte[] compact = [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];
        long allocated = AllocatedBy(() =>
        {
            Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(typeof(MetadataRequest), classic, 1, out _));
            Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(typeof(MetadataRequest), compact, 9, out _));
        });
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void HugeStringLength_ThrowsWithoutAllocating()
    {
        // FindCoordinatorRequest v0: Key string with length 32767 but only 3 bytes follow.
        byte[] classic = [0x7F, 0xFF, 0x61, 0x62, 0x63];
        // v4 (flexible): KeyType int8, then CoordinatorKeys compact array whose first string claims ~2^31 bytes.
        byte[] compact = [0x00, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x61];
        long allocated = AllocatedBy(() =>
        {
            Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(typeof(FindCoordinatorRequest), classic, 0, out _));
            Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(typeof(FindCoordinatorRequest), compact, 4, out _));
        });
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void HugeBytesLength_Throws()
    {
        // SyncGroupRequest v0: group "g", generation 1, member "m", one assignment with a 2 GB assignment.
        byte[] wire =
        [
            0x00, 0x01, (byte)'g', 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'m',
            0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'x', 0x7F, 0xFF, 0xFF, 0xFF, 0x01,
        ];
        Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(typeof(SyncGroupRequest), wire, 0, out _));
    }
}
