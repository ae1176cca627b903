using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>DeleteRecords from Confluent.Kafka 2.16 (librdkafka 2.16) at every boundary; kcat reads what is left.</summary>
public sealed class ConfluentDotnetDeleteRecordsTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task Bad_offsets_are_refused_and_delete_nothing_good_ones_move_the_start()
    {
        string topic = TestData.UniqueTopic("cdn-delrec");
        await ProduceTenAsync(topic);
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.BootstrapServers }).Build();
        var tp = new TopicPartition(topic, 0);

        foreach (long bad in new[] { -2L, -1001L, 11L })
        {
            var refused = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(tp, new Offset(bad))]));
            Assert.Equal(Confluent.Kafka.ErrorCode.OffsetOutOfRange, Assert.Single(refused.Results).Error.Code);
            Assert.Equal(10, (await Kcat.ConsumeAsync(_silo, topic)).Count);
        }

        async Task<long> DeleteBefore(long offset) =>
            Assert.Single(await admin.DeleteRecordsAsync([new TopicPartitionOffset(tp, new Offset(offset))])).Offset.Value;

        Assert.Equal(0, await DeleteBefore(0));
        Assert.Equal(6, await DeleteBefore(6));
        Assert.Equal(6, await DeleteBefore(6));
        Assert.Equal([6L, 7, 8, 9], (await Kcat.ConsumeAsync(_silo, topic)).Select(r => r.Offset));
        Assert.Equal(10, await DeleteBefore(10));
        Assert.Equal(10, await DeleteBefore(Offset.End.Value));
        Assert.Empty(await Kcat.ConsumeAsync(_silo, topic));
    }

    private async Task ProduceTenAsync(string topic)
    {
        using IProducer<string, string> producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _silo.BootstrapServers, EnableIdempotence = true }).Build();
        for (int i = 0; i < 10; i++)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        }
    }
}
