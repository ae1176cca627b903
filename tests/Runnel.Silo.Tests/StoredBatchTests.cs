using Runnel.Silo.Tests.Infrastructure;
namespace Runnel.Silo.Tests;

/// <summary>
/// Hand-built record batches sent with a raw Produce v3 and read back with a raw Fetch v4: the silo stores
/// and serves a batch exactly as the producer sent it (only baseOffset and partitionLeaderEpoch are the
/// broker's), keeps compressed batches compressed, and refuses a batch whose CRC is wrong.
/// </summary>
public sealed class StoredBatchTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task GzipAndPlainBatchesAreServedByteForByte()
    {
        var topic = TestData.UniqueTopic("raw-bytes");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var gzipRecords = Enumerable.Range(0, 50)
            .Select(i => new TestRecord($"gz-key-{i}", $"gz-value-{i}-" + new string('x', i), [("h1", $"v{i}"), ("h2", "same")], i * 3))
            .ToList();
        var plainRecords = Enumerable.Range(0, 7)
            .Select(i => new TestRecord(i % 2 == 0 ? null : $"plain-key-{i}", $"plain-value-{i}", [], i))
            .ToList();
        var gzipBatch = RecordBatchBuilder.Build(gzipRecords, now, gzip: true, baseOffset: 12345, partitionLeaderEpoch: 77);
        var plainBatch = RecordBatchBuilder.Build(plainRecords, now + 1000, gzip: false);

        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);
        var first = await connection.ProduceWhenReadyAsync(topic, 0, gzipBatch);
        Assert.Equal(new ProducePartitionResult(KafkaErrors.None, 0), first);
        var second = await connection.ProduceAsync(topic, 0, plainBatch);
        Assert.Equal(new ProducePartitionResult(KafkaErrors.None, 50), second);

        var stored = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.Equal(2, stored.Count);
        AssertSameExceptOffsetAndEpoch(gzipBatch, stored[0], expectedBaseOffset: 0);
        AssertSameExceptOffsetAndEpoch(plainBatch, stored[1], expectedBaseOffset: 50);
        Assert.Equal(1, stored[0].CompressionCodec);

        // A librdkafka consumer decodes them to the records that went in.
        var consumed = await Kcat.ConsumeAsync(_silo, topic);
        var expected = gzipRecords.Concat(plainRecords).Select(r => new ExpectedRecord(r.Key, r.Value, r.Headers)).ToList();
        TestData.AssertSameRecords(expected, consumed, context: "kcat reading hand-built batches");
        Assert.Equal(now + 9, consumed[3].Timestamp);
    }

    [Fact]
    public async Task BatchWithWrongCrcIsRejectedAndNothingIsAppended()
    {
        var topic = TestData.UniqueTopic("raw-crc");
        var batch = RecordBatchBuilder.Build([new TestRecord("k", "v", [])], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), gzip: true);

        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);
        var warmup = await connection.ProduceWhenReadyAsync(topic, 0, batch);
        Assert.Equal(new ProducePartitionResult(KafkaErrors.None, 0), warmup);

        var corrupt = await connection.ProduceAsync(topic, 0, RecordBatchBuilder.WithWrongCrc(batch));
        Assert.Equal(KafkaErrors.CorruptMessage, corrupt.ErrorCode);

        // The connection is kept and the log did not move.
        var (error, ranges) = await connection.ApiVersionsV0Async();
        Assert.Equal(KafkaErrors.None, error);
        Assert.NotEmpty(ranges);
        var (listError, latest) = await connection.ListOffsetAsync(topic, 0, -1);
        Assert.Equal(KafkaErrors.None, listError);
        Assert.Equal(1, latest);
        var stored = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.Single(stored);

        var next = await connection.ProduceAsync(topic, 0, batch);
        Assert.Equal(new ProducePartitionResult(KafkaErrors.None, 1), next);
    }

    private static void AssertSameExceptOffsetAndEpoch(byte[] sent, StoredBatch stored, long expectedBaseOffset)
    {
        Assert.Equal(expectedBaseOffset, stored.BaseOffset);
        Assert.True(sent.Length == stored.Bytes.Length, $"stored batch is {stored.Bytes.Length} bytes, {sent.Length} were sent");
        // Bytes 8..11: batch length; 16..: magic, CRC, attributes, ... records. 0..7 (base offset) and 12..15
        // (partition leader epoch) are assigned by the broker.
        Assert.Equal(Convert.ToHexString(sent.AsSpan(8, 4)), Convert.ToHexString(stored.Bytes.AsSpan(8, 4)));
        Assert.Equal(Convert.ToHexString(sent.AsSpan(16)), Convert.ToHexString(stored.Bytes.AsSpan(16)));
        Assert.True(stored.CrcMatches);
    }
}
