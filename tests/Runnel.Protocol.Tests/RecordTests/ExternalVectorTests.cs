using System.Text;
using Runnel.Records;
using static Runnel.Protocol.Tests.RecordTests.RecordTestData;

namespace Runnel.Protocol.Tests.RecordTests;

/// <summary>
/// Batches encoded by an independent Kafka client (kafkajs 2.2.4's record batch encoder, run once by hand), kept as
/// hex: three records (key "k1"/value "hello"/header a=1; null key/empty value; key "k3"/null value/headers x=y, zz=""),
/// timestamps base+0, +5, -3, producerId 77, epoch 1, baseSequence 10, leader epoch -1.
/// </summary>
public class ExternalVectorTests
{
    private const long BaseTimestamp = 1_700_000_000_000;

    private const string Uncompressed =
        "00000000000000000000005bffffffff028ad18a970000000000020000018bcfe568000000018bcfe56805000000000000004d00010000000a00000003" +
        "22000000046b310a68656c6c6f02026102310c000a0201000020000504046b33010402780279047a7a00";

    private const string Gzip =
        "00000000000000000000006fffffffff02f47b69e80001000000020000018bcfe568000000018bcfe56805000000000000004d00010000000a00000003" +
        "1f8b08000000000000035362606060c936e4ca48cdc9c967624a6432e461e0626264605060606561c936666461aa60aa64a9aa620000459d78902a000000";

    [Fact]
    public void OurBuilderProducesTheSameBytes()
    {
        byte[] built = new RecordBatchBuilder { ProducerId = 77, ProducerEpoch = 1, BaseSequence = 10 }
            .Add(BaseTimestamp, Utf8("k1"), Utf8("hello"), new RecordHeaderEntry("a", Utf8("1")))
            .Add(BaseTimestamp + 5, null, [])
            .Add(BaseTimestamp - 3, Utf8("k3"), null, new RecordHeaderEntry("x", Utf8("y")), new RecordHeaderEntry("zz", []))
            .ToArray();
        Assert.Equal(Convert.FromHexString(Uncompressed), built);
    }

    [Theory]
    [InlineData(Uncompressed)]
    [InlineData(Gzip)]
    public void ValidatesAndReads(string hex)
    {
        byte[] batch = Convert.FromHexString(hex);
        RecordBatchValidation result = RecordBatchValidator.Validate(batch);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(3, result.RecordCount);
        Assert.Equal(BaseTimestamp + 5, result.MaxTimestamp);

        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(77, header.ProducerId);
        Assert.Equal((short)1, header.ProducerEpoch);
        Assert.Equal(10, header.BaseSequence);
        byte[] records = RecordBatchCompression.DecompressRecords(batch);

        var lines = new List<string>();
        foreach (RecordView r in new RecordReader(header, records))
        {
            var line = new StringBuilder();
            line.Append(r.Offset).Append(' ').Append(r.Timestamp - BaseTimestamp).Append(' ')
                .Append(r.IsKeyNull ? "null" : Encoding.UTF8.GetString(r.Key)).Append(' ')
                .Append(r.IsValueNull ? "null" : "'" + Encoding.UTF8.GetString(r.Value) + "'");
            foreach (RecordHeader h in r.Headers)
            {
                line.Append(' ').Append(h.KeyString).Append('=').Append(h.IsValueNull ? "null" : Encoding.UTF8.GetString(h.Value));
            }

            lines.Add(line.ToString());
        }

        Assert.Equal(["0 0 k1 'hello' a=1", "1 5 null ''", "2 -3 k3 null x=y zz="], lines);
    }
}
