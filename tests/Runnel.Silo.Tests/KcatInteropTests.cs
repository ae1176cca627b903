using System.Text.RegularExpressions;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>kcat 1.7.1 (librdkafka 2.0.2) against a real silo process.</summary>
public sealed class KcatInteropTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task MetadataListsTheBrokerAndAProducedTopic()
    {
        var topic = TestData.UniqueTopic("kcat-meta");
        await Kcat.ProduceAsync(_silo, topic, TestData.Records(topic, 3));

        var listing = await Kcat.ListAsync(_silo);

        Assert.Matches(new Regex($@"broker 0 at 127\.0\.0\.1:{_silo.KafkaPort}\b"), listing);
        Assert.True(Kcat.PartitionCount(listing, topic) == 1, $"topic {topic} with 1 partition not in:\n{listing}");
        Assert.Matches(new Regex($"topic \"{Regex.Escape(topic)}\" with 1 partitions:\\s*\\n\\s*partition 0, leader 0,"), listing);
    }

    [Fact]
    public async Task TenThousandKeyedRecordsWithHeadersRoundTrip()
    {
        var topic = TestData.UniqueTopic("kcat-10k");
        var records = TestData.Records(topic, 10_000, ("origin", "kcat"), ("trace", "t-123"));

        await Kcat.ProduceAsync(_silo, topic, records);
        var consumed = await Kcat.ConsumeAsync(_silo, topic);

        TestData.AssertSameRecords(records, consumed, context: "kcat -C after kcat -P");
    }

    [Fact]
    public async Task ConsumingFromATimestampStartsAtTheFirstRecordAtOrAfterIt()
    {
        var topic = TestData.UniqueTopic("kcat-ts");
        var early = TestData.Records(topic + "-early", 200);
        var late = TestData.Records(topic + "-late", 150);

        await Kcat.ProduceAsync(_silo, topic, early);
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        var boundary = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        await Kcat.ProduceAsync(_silo, topic, late);

        var fromBoundary = await Kcat.ConsumeAsync(_silo, topic, $"s@{boundary}");

        TestData.AssertSameRecords(late, fromBoundary, firstOffset: early.Count, compareHeaders: false, context: $"kcat -o s@{boundary}");
        Assert.All(fromBoundary, r => Assert.True(r.Timestamp >= boundary, $"record at offset {r.Offset} has timestamp {r.Timestamp} < {boundary}"));
        var everything = await Kcat.ConsumeAsync(_silo, topic);
        Assert.All(everything.Take(early.Count), r => Assert.True(r.Timestamp < boundary, $"early record at offset {r.Offset} has timestamp {r.Timestamp} >= {boundary}"));
    }

    [Fact]
    public async Task IdempotentProducerRoundTrips()
    {
        var topic = TestData.UniqueTopic("kcat-idem");
        var records = TestData.Records(topic, 3_000, ("idempotent", "yes"));

        var produced = await Kcat.ProduceAsync(_silo, topic, records, "-X", "enable.idempotence=true");
        Assert.DoesNotContain("fatal", produced.Stderr, StringComparison.OrdinalIgnoreCase);
        var consumed = await Kcat.ConsumeAsync(_silo, topic);

        TestData.AssertSameRecords(records, consumed, context: "kcat idempotent produce");
        await StoredBatches.AssertIdempotentAsync(_silo, topic);
    }

    [Theory]
    [InlineData("gzip", 1)]
    [InlineData("snappy", 2)]
    [InlineData("lz4", 3)]
    [InlineData("zstd", 4)]
    public async Task CompressedRecordsRoundTrip(string codec, int codecId)
    {
        var topic = TestData.UniqueTopic("kcat-" + codec);
        var records = TestData.Records(topic, 4_000, ("codec", codec));

        await Kcat.ProduceAsync(_silo, topic, records, "-z", codec);
        var consumed = await Kcat.ConsumeAsync(_silo, topic);

        TestData.AssertSameRecords(records, consumed, context: $"kcat -z {codec}");
        await StoredBatches.AssertCodecAsync(_silo, topic, codecId);
    }
}
