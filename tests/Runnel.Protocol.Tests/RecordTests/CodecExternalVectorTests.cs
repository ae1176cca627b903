using System.Text;
using Runnel.Records;

namespace Runnel.Protocol.Tests.RecordTests;

/// <summary>
/// Compressed batches written by independent Kafka clients, run once by hand and kept as hex, so the codecs are
/// checked against other implementations and not only against themselves:
/// <list type="bullet">
/// <item>kafka-python 2.0.2 (Debian's, DefaultRecordBatchBuilder) with python3-snappy, python3-lz4 and
/// python3-zstandard: xerial-framed snappy, lz4 frames with a content size, zstd frames with a content size;</item>
/// <item>kafkajs 2.2.4's record batch encoder with tests/interop/node's codecs: raw snappy (kafkajs-snappy), lz4
/// frames with a content checksum (kafkajs-lz4), zstd frames without a content size (zstd-codec's streaming
/// API, as the Java client writes them).</item>
/// </list>
/// Each holds ten records: key "key-i" (null for i = 3), value "the quick brown fox jumps over the lazy dog (i % 3) "
/// twice (null for i = 7), header h = i, timestamps base + 10 i; producer id 77, epoch 1, base sequence 10.
/// </summary>
public class CodecExternalVectorTests
{
    private const long BaseTimestamp = 1_700_000_000_000;

    private const string KafkaPythonGzip =
        "0000000000000000000000f900000000026add20510001000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0a1f8b0800ef1e116b02ffbbc1c8c0c0c0959d5aa96bb083b1242355a1b03433395b21a928bf3c4f212dbf4221ab34b7a05821bf2cb54801249d9358" +
        "55a990929fae60a0409a6a26a60c26831b8c0c224c60db0c49b3cd508134d520db0c81b669b0806d3322cd362305d254836c333ac7c860c3c648fb40" +
        "34067a2b8003ec2d13da07a209d0b6142eb06da6b40f4453a06d153c60dbcc681f92660a0c3d8c7c60dbcc194102e6b7181916300a80452c68ef5b0b" +
        "a0755b1885c0d659d2debb9600f14ee4eeec030000";

    private const string KafkaPythonSnappy =
        "00000000000000000000012f0000000002e20d71ca0002000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0a82534e41505059000000000100000001000000eaec07e8d8010000000a6b65792d30b80174686520717569636b2062726f776e20666f78206a756d" +
        "7073206f76657220746865206c617a7920646f67203020b62e00240202680230d801001402056e0031b66e000031057d9e9c000031056e1431d80100" +
        "2804056e0032b66e000032b26e000032056e1832ce01003c0601b66900ce45011433d80100500805d70034b66e00ce45011434d80100640a056e0035" +
        "b66e00ce45011435d80100780c056e0036b66e00ce4a01143620008c010e056e04370141a01837da0100a0011005120038b68000ceee001838da0100" +
        "b40112056f0039b66f00ceef000039";

    private const string KafkaPythonLz4 =
        "00000000000000000000013a0000000002922517e90003000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0a04224d186840ec030000000000006cf2000000f01dd8010000000a6b65792d30b80174686520717569636b2062726f776e20666f78206a756d7073" +
        "206f766572201f00a16c617a7920646f6720300f000f2e0017a10202680230d8010014026e001f316e001b1f316e001a11316e006131d8010028046e" +
        "001f326e001b1f326e001a11326e007f32ce01003c060169001b0f4501216133d801005008d7001f346e001b0f4501216134d80100640a6e001f356e" +
        "001b0f4501216135d80100780c8f021f366e001b0f4a0121613620008c010e6e0020370132027137da0100a0011012001f3880001b0fee00217138da" +
        "0100b401126f001f396f001b0fef001d50020268023900000000";

    private const string KafkaPythonZstd =
        "00000000000000000000010a0000000002bbdb77210004000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0a28b52ffd60ec027d0600d408d8010000000a6b65792d30b80174686520717569636b2062726f776e20666f78206a756d7073206f766572206c617a" +
        "7920646f672030200202680230d80100140231313131d80100280432323232ce01003c060133d8010050083434d80100640a3535d80100780c363030" +
        "3620008c010e370137da0100a0011038323238da0100b401123930302002026802391c0002530673e52006ae13986c306260c4d00c0cae407b02930d" +
        "46c441a80773415b0fe6425b1e698d81f604261b1801a4c07502930d46c4414047659e625565";

    private const string KafkaJsGzip =
        "0000000000000000000000fcffffffff0264de43540001000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0a1f8b0800000000000003b5d0cd09c2401005e09920224144c402e6e84548d6fc8245d8829a6834ea6a349a588345588407abf0bca41ac974b087bd" +
        "be19f8784f2100d8795a4f9d2fdeb2942ee56e9dd3aa908f136d6445fbf278be92bca705b5e7c3f2595322b7e490deb7656596a310c6166bae9ee66a" +
        "692e6bae42987458137a9ad0d2046be28730efa2f911670a61d1e35a9ef9113d8590d8acf9e647f41542d5672d30bf6440f0c2016b21b641d820bc71" +
        "c84964be6dd4207c70c45c6cbe6efc07f14ee4eeec030000";

    private const string KafkaJsSnappy =
        "000000000000000000000128ffffffff02815d7b540002000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0aec07e8d8010000000a6b65792d30b80174686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f67" +
        "203020b62e00240202680230d801001402056e0431b8b26e000031057d9e9c000031056e1431d801002804056e0432b8b26e000032b26e000032056e" +
        "1832ce01003c0601b66900ce45011433d80100500805d70034b66e000031b2d700003105d71434d80100640a056e0035b66e00ce45011435d8010078" +
        "0c056e0036b66e00ce4a01143620008c010e056e3037010202680237da0100a0011005120038b680000032b25c0149331838da0100b40112056f0039" +
        "b66f00ceef000039";

    private const string KafkaJsLz4 =
        "000000000000000000000136ffffffff029c9ee3620003000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0a04224d186470b9f2000000f01dd8010000000a6b65792d30b80174686520717569636b2062726f776e20666f78206a756d7073206f766572201f00" +
        "a16c617a7920646f6720300f000f2e0017a10202680230d8010014026e001f316e001b1f316e001a11316e006131d8010028046e001f326e001b1f32" +
        "6e001a11326e007f32ce01003c060169001b0f4501216133d801005008d7001f346e001b0f4501216134d80100640a6e001f356e001b0f4501216135" +
        "d80100780c8f021f366e001b0f4a0121613620008c010e6e0020370132027137da0100a0011012001f3880001b0fee00217138da0100b401126f001f" +
        "396f001b0fef001d500202680239000000001aaa9dd4";

    private const string KafkaJsZstd =
        "000000000000000000000108ffffffff025c201ef10004000000090000018bcfe568000000018bcfe5685a000000000000004d00010000000a000000" +
        "0a28b52ffd005075060052c9232b705513b4ae0a17ab8a55c52afc903b62eb35a708a1066184a90b00b495dd6d9b04dbac0f04a21691f9fe07154fe6" +
        "7eaf52bc60df5131528913ecbb8927f327c407b6a5f7a4c3b6af51f458fb0a4106c8be3a5e78ec0f628c91c0d8570821e4c5be3e9eccfdba42ade604" +
        "229896336b4c02d0ee6c32daa5374a694d00c5247d4d2c1aa7e5cc6ef01a9cbc9edd7d0d1a0002530673e52006ae13986c30c2c0c80757a03d81c906" +
        "469010423d980bda7a3017daf2486b0cb42730d9c0082005ae13986c30220e02daa3a9a0";

    [Theory]
    [InlineData(KafkaPythonGzip, CompressionCodec.Gzip)]
    [InlineData(KafkaPythonSnappy, CompressionCodec.Snappy)]
    [InlineData(KafkaPythonLz4, CompressionCodec.Lz4)]
    [InlineData(KafkaPythonZstd, CompressionCodec.Zstd)]
    [InlineData(KafkaJsGzip, CompressionCodec.Gzip)]
    [InlineData(KafkaJsSnappy, CompressionCodec.Snappy)]
    [InlineData(KafkaJsLz4, CompressionCodec.Lz4)]
    [InlineData(KafkaJsZstd, CompressionCodec.Zstd)]
    public void DecompressesAndReadsTheRecordsOtherClientsWrote(string hex, CompressionCodec codec)
    {
        byte[] batch = Convert.FromHexString(hex);
        RecordBatchValidation result = RecordBatchValidator.Validate(batch);
        Assert.True(result.IsValid, result.ToString());
        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(codec, header.Compression);
        Assert.Equal(77, header.ProducerId);
        Assert.Equal(10, header.RecordCount);

        byte[] records = RecordBatchCompression.DecompressRecords(batch);
        int i = 0;
        foreach (RecordView r in new RecordReader(header, records))
        {
            Assert.Equal(i, r.OffsetDelta);
            Assert.Equal(BaseTimestamp + (10 * i), r.Timestamp);
            Assert.Equal(i == 3 ? null : $"key-{i}", r.IsKeyNull ? null : Encoding.UTF8.GetString(r.Key));
            string value = string.Concat(Enumerable.Repeat($"the quick brown fox jumps over the lazy dog {i % 3} ", 2));
            Assert.Equal(i == 7 ? null : value, r.IsValueNull ? null : Encoding.UTF8.GetString(r.Value));
            RecordHeaderEnumerator headers = r.Headers;
            Assert.True(headers.MoveNext());
            Assert.Equal("h", headers.Current.KeyString);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(headers.Current.Value));
            i++;
        }

        Assert.Equal(10, i);
    }

    [Fact]
    public void TheVectorsCoverBothSnappyFormsAndZstdWithAndWithoutContentSize()
    {
        Assert.Equal(0x82, Convert.FromHexString(KafkaPythonSnappy)[RecordBatchHeader.Size]); // xerial magic
        Assert.NotEqual(0x82, Convert.FromHexString(KafkaJsSnappy)[RecordBatchHeader.Size]);
        Assert.True(HasZstdContentSize(KafkaPythonZstd));
        Assert.False(HasZstdContentSize(KafkaJsZstd));
        Assert.True((FrameFlags(KafkaJsLz4) & 0x04) != 0); // content checksum
        Assert.True((FrameFlags(KafkaPythonLz4) & 0x08) != 0); // content size
    }

    /// <summary>The byte after a zstd or lz4 frame's 4-byte magic: zstd's frame header descriptor, lz4's FLG.</summary>
    private static byte FrameFlags(string hex) => Convert.FromHexString(hex)[RecordBatchHeader.Size + 4];

    /// <summary>A content size field is there when its size flag (bits 7-6) is set or the frame is single-segment (bit 5).</summary>
    private static bool HasZstdContentSize(string hex) => (FrameFlags(hex) & 0xE0) != 0;
}
