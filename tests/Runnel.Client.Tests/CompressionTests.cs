using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Protocol;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>
/// Runnel.Client's own codecs through a real silo: each codec and level is stored as produced and read back exactly;
/// what does not compress goes uncompressed; a batch past the consumer's decompression limit is an error the
/// application sees, after the records before it.
/// </summary>
public sealed class CompressionTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    [Theory]
    [InlineData(CompressionType.None, null)]
    [InlineData(CompressionType.Gzip, null)]
    [InlineData(CompressionType.Gzip, 1)]
    [InlineData(CompressionType.Gzip, 9)]
    [InlineData(CompressionType.Snappy, null)]
    [InlineData(CompressionType.Lz4, null)]
    [InlineData(CompressionType.Lz4, 9)]
    [InlineData(CompressionType.Zstd, null)]
    [InlineData(CompressionType.Zstd, -5)]
    [InlineData(CompressionType.Zstd, 19)]
    public async Task Each_codec_and_level_is_stored_compressed_and_read_back_exactly(CompressionType codec, int? level)
    {
        string topic = TestData.UniqueTopic($"rc-codec-{codec.ToString().ToLowerInvariant()}");
        List<ExpectedRecord> expected = TestData.Records("cc", 2000, ("trace", "t-9"));
        await using (var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo, o =>
        {
            o.Compression = codec;
            o.CompressionLevel = level;
            o.BatchSize = 64 * 1024;
        })))
        {
            foreach (ExpectedRecord r in expected)
            {
                await producer.EnqueueAsync(new ProducerRecord<string, string>(topic, r.Key!, r.Value)
                {
                    Headers = [.. r.Headers.Select(h => Header.Utf8(h.Key, h.Value))],
                    Partition = 0,
                });
            }

            await producer.FlushAsync();
        }

        await StoredBatches.AssertCodecAsync(Silo, topic, (int)codec);
        await using var consumer = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        List<ConsumeResult<string, string>> records = await TestHelpers.TakeAsync(consumer, expected.Count);
        TestData.AssertSameRecords(expected, records.ConvertAll(r => new ConsumedRecord(r.Offset, r.Key, r.Value, TestHelpers.HeaderPairs(r.Headers), r.Timestamp)), context: codec.ToString());
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task A_batch_that_does_not_get_smaller_is_sent_uncompressed(CompressionType codec)
    {
        string topic = TestData.UniqueTopic("rc-incompressible");
        byte[] noise = new byte[300];
        new Random(11).NextBytes(noise);
        await using (var producer = new KafkaProducer<byte[], byte[]>(TestHelpers.Producer(Silo, o => o.Compression = codec)))
        {
            await producer.ProduceAsync(new ProducerRecord<byte[], byte[]>(topic, null!, noise) { Partition = 0 });
        }

        await StoredBatches.AssertCodecAsync(Silo, topic, 0);
        await using var consumer = new KafkaConsumer<byte[], byte[]>(TestHelpers.Consumer(Silo));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        Assert.Equal(noise, (await TestHelpers.TakeAsync(consumer, 1))[0].Value);
    }

    [Fact]
    public async Task A_batch_past_the_decompression_limit_fails_after_the_records_before_it()
    {
        string topic = TestData.UniqueTopic("rc-bomb");
        await using (var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo, o =>
        {
            o.Compression = CompressionType.Zstd;
            o.BatchSize = 1024 * 1024;
            o.Linger = TimeSpan.FromMilliseconds(50);
        })))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.EnqueueAsync(new ProducerRecord<string, string>(topic, $"small-{i}", "x") { Partition = 0 });
            }

            await producer.FlushAsync();
            string large = new('z', 1000);
            for (int i = 0; i < 300; i++)
            {
                await producer.EnqueueAsync(new ProducerRecord<string, string>(topic, $"large-{i}", large) { Partition = 0 });
            }

            await producer.FlushAsync();
        }

        await using var consumer = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, configure: o => o.MaxDecompressedBatchBytes = 64 * 1024));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        var seen = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        KafkaException error = await Assert.ThrowsAsync<KafkaException>(async () =>
        {
            await foreach (ConsumeResult<string, string> record in consumer.ConsumeAsync(cts.Token))
            {
                seen.Add(record.Key);
            }
        });

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"small-{i}"), seen);
        Assert.Equal(ErrorCode.InvalidRecord, error.ErrorCode);
        Assert.False(error.IsRetriable);
        Assert.Contains("limit", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.InnerException);
    }
}
