using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>Manual assignment: positions, seek, start from a timestamp, pause and resume, commit without a group membership.</summary>
public sealed class ConsumerTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task Seek_timestamp_pause_resume_and_manual_commit()
    {
        string topic = TestData.UniqueTopic("consumer");
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000;
        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo));
        for (int i = 0; i < 100; i++)
        {
            await producer.EnqueueAsync(new ProducerRecord<string, string>(topic, $"k{i}", $"v{i}") { Timestamp = t0 + (i * 100) });
        }

        await producer.FlushAsync();
        var tp = new TopicPartition(topic, 0);
        string group = "manual-" + topic;
        await using (var consumer = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, group)))
        {
            consumer.Assign([new TopicPartitionOffset(tp, 10)]);
            Assert.Equal(Enumerable.Range(10, 5).Select(i => $"v{i}"), (await TestHelpers.TakeAsync(consumer, 5)).Select(r => r.Value));
            Assert.Equal(15, consumer.Position(tp));

            consumer.Seek(new TopicPartitionOffset(tp, 90));
            Assert.Equal(Enumerable.Range(90, 10).Select(i => $"v{i}"), (await TestHelpers.TakeAsync(consumer, 10)).Select(r => r.Value));

            consumer.SeekToTimestamp([tp], DateTimeOffset.FromUnixTimeMilliseconds(t0 + 4_250));
            Assert.Equal("v43", (await TestHelpers.TakeAsync(consumer, 1))[0].Value);

            consumer.Pause([tp]);
            await TestHelpers.AssertNothingAsync(consumer, TimeSpan.FromMilliseconds(800));
            consumer.Resume([tp]);
            Assert.Equal("v44", (await TestHelpers.TakeAsync(consumer, 1))[0].Value);

            await consumer.CommitAsync();
            Assert.Equal(45, (await consumer.CommittedAsync([tp]))[0].Offset);
            Assert.Equal((0L, 100L), await consumer.QueryWatermarkOffsetsAsync(tp));
        }

        await using (var again = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, group)))
        {
            again.Assign([tp]); // from the committed offset
            Assert.Equal("v45", (await TestHelpers.TakeAsync(again, 1))[0].Value);
        }

        await using (var latest = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, configure: o => o.AutoOffsetReset = AutoOffsetReset.Latest)))
        {
            latest.Assign([new TopicPartitionOffset(tp, Offsets.End)]);
            await TestHelpers.AssertNothingAsync(latest, TimeSpan.FromMilliseconds(800));
            await producer.ProduceAsync(topic, "k-new", "v-new");
            Assert.Equal("v-new", (await TestHelpers.TakeAsync(latest, 1))[0].Value);
        }
    }
}
