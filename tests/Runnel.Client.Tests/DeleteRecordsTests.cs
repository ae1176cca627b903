using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Protocol;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>
/// DeleteRecords at every boundary: only -1 means "up to the high watermark"; any other offset below 0 or above the
/// high watermark is OFFSET_OUT_OF_RANGE and deletes nothing (a silo once deleted the whole partition for -1001).
/// </summary>
public sealed class DeleteRecordsTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    [Theory]
    [InlineData(-2L)]
    [InlineData(-1001L)]
    [InlineData(long.MinValue)]
    [InlineData(11L)]
    [InlineData(long.MaxValue)]
    public async Task An_offset_outside_minus_one_to_the_high_watermark_is_refused_and_deletes_nothing(long offset)
    {
        var tp = await TopicWithTenRecordsAsync();
        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        Assert.Equal(3, (await admin.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [tp] = 3 }))[tp]);

        var refused = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [tp] = offset }));
        Assert.Equal(ErrorCode.OffsetOutOfRange, refused.ErrorCode);

        Assert.Equal(3, (await admin.ListOffsetsAsync([tp], Offsets.Beginning))[tp]);
        Assert.Equal(10, (await admin.ListOffsetsAsync([tp], Offsets.End))[tp]);
        List<ConsumedRecord> left = await Kcat.ConsumeAsync(Silo, tp.Topic);
        Assert.Equal([3L, 4, 5, 6, 7, 8, 9], left.Select(r => r.Offset));
    }

    [Fact]
    public async Task Offsets_from_zero_to_the_high_watermark_move_the_start_and_minus_one_means_the_high_watermark()
    {
        var tp = await TopicWithTenRecordsAsync();
        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        async Task<long> DeleteBefore(long offset) => (await admin.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [tp] = offset }))[tp];

        Assert.Equal(0, await DeleteBefore(0));
        Assert.Equal(4, await DeleteBefore(4));
        Assert.Equal(4, await DeleteBefore(4));   // the log start itself: nothing more to delete
        Assert.Equal(4, await DeleteBefore(2));   // below the log start: a no-op that answers the start
        Assert.Equal([4L, 5, 6, 7, 8, 9], (await Kcat.ConsumeAsync(Silo, tp.Topic)).Select(r => r.Offset));

        Assert.Equal(10, await DeleteBefore(10)); // the high watermark: everything
        Assert.Equal(10, await DeleteBefore(-1));
        Assert.Equal(10, (await admin.ListOffsetsAsync([tp], Offsets.Beginning))[tp]);
        Assert.Empty(await Kcat.ConsumeAsync(Silo, tp.Topic));

        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo));
        Assert.Equal(10, (await producer.ProduceAsync(new ProducerRecord<string, string>(tp.Topic, "k", "after"))).Offset);
        Assert.Equal(11, await DeleteBefore(-1));
    }

    private async Task<TopicPartition> TopicWithTenRecordsAsync()
    {
        string topic = TestData.UniqueTopic("delete-records");
        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo));
        for (int i = 0; i < 10; i++)
        {
            await producer.ProduceAsync(new ProducerRecord<string, string>(topic, $"k{i}", $"v{i}"));
        }

        return new TopicPartition(topic, 0);
    }
}
