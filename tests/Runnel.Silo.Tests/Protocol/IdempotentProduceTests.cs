using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Protocol;

/// <summary>
/// Idempotent producer semantics on a real silo over raw Produce requests: retries of any of the last five
/// batches are answered with their original offset and appended once; gaps and old epochs are refused.
/// </summary>
public sealed class IdempotentProduceTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const short DuplicateOrNone = 0;
    private const short OutOfOrderSequenceNumber = 45;
    private const short InvalidProducerEpoch = 47;
    private const long ProducerId = 4242;
    private readonly SiloProcess _silo = fixture.Silo;

    private static byte[] Batch(short epoch, int baseSequence, int records)
    {
        var builder = new Runnel.Records.RecordBatchBuilder { ProducerId = ProducerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        for (int i = 0; i < records; i++)
        {
            builder.Add(1_700_000_000_000 + i, System.Text.Encoding.UTF8.GetBytes($"k{baseSequence + i}"), System.Text.Encoding.UTF8.GetBytes($"v{baseSequence + i}"));
        }

        return builder.ToArray();
    }

    [Fact]
    public async Task Retries_of_the_last_five_batches_get_their_original_offsets_and_are_stored_once()
    {
        string topic = TestData.UniqueTopic("idem");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);

        var offsets = new List<long>();
        for (int i = 0; i < 6; i++)
        {
            ProducePartitionResult result = await connection.ProduceAsync(topic, 0, Batch(0, i * 3, 3));
            Assert.Equal(DuplicateOrNone, result.ErrorCode);
            offsets.Add(result.BaseOffset);
        }

        Assert.Equal([0L, 3, 6, 9, 12, 15], offsets);

        // Batches 1..5 are the last five: each retry answers with the offset it was first stored at.
        for (int i = 1; i < 6; i++)
        {
            ProducePartitionResult retry = await connection.ProduceAsync(topic, 0, Batch(0, i * 3, 3));
            Assert.Equal(DuplicateOrNone, retry.ErrorCode);
            Assert.Equal(offsets[i], retry.BaseOffset);
        }

        FetchPartitionResult fetched = await connection.FetchAsync(topic, 0, 0);
        Assert.Equal(18, fetched.HighWatermark);
        Assert.Equal(6, StoredBatch.Split(fetched.Records).Count);
    }

    [Fact]
    public async Task A_sequence_gap_is_refused_with_out_of_order_and_nothing_is_appended()
    {
        string topic = TestData.UniqueTopic("idem-gap");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);

        Assert.Equal(DuplicateOrNone, (await connection.ProduceAsync(topic, 0, Batch(0, 0, 2))).ErrorCode);
        ProducePartitionResult gap = await connection.ProduceAsync(topic, 0, Batch(0, 5, 2));

        Assert.Equal(OutOfOrderSequenceNumber, gap.ErrorCode);
        Assert.Equal(2, (await connection.FetchAsync(topic, 0, 0)).HighWatermark);
        Assert.Equal(DuplicateOrNone, (await connection.ProduceAsync(topic, 0, Batch(0, 2, 2))).ErrorCode);
    }

    [Fact]
    public async Task A_new_epoch_starts_at_zero_and_fences_the_old_epoch()
    {
        string topic = TestData.UniqueTopic("idem-epoch");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);

        Assert.Equal(DuplicateOrNone, (await connection.ProduceAsync(topic, 0, Batch(0, 0, 1))).ErrorCode);
        Assert.Equal(OutOfOrderSequenceNumber, (await connection.ProduceAsync(topic, 0, Batch(1, 7, 1))).ErrorCode);
        Assert.Equal(DuplicateOrNone, (await connection.ProduceAsync(topic, 0, Batch(1, 0, 1))).ErrorCode);
        Assert.Equal(InvalidProducerEpoch, (await connection.ProduceAsync(topic, 0, Batch(0, 1, 1))).ErrorCode);
        Assert.Equal(2, (await connection.FetchAsync(topic, 0, 0)).HighWatermark);
    }

    [Fact]
    public async Task Producer_state_survives_a_restart_so_a_retry_after_it_is_still_deduplicated()
    {
        using SiloProcess silo = await SiloProcess.StartNewAsync();
        string topic = TestData.UniqueTopic("idem-restart");
        long first;
        {
            await using var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort);
            await connection.CreateTopicOrFailAsync(topic);
            first = (await connection.ProduceAsync(topic, 0, Batch(0, 0, 4))).BaseOffset;
        }

        silo.KillHard();
        await silo.RestartAsync();

        await using var again = await RawKafkaConnection.ConnectAsync(silo.KafkaPort);
        ProducePartitionResult retry = await again.ProduceWhenReadyAsync(topic, 0, Batch(0, 0, 4));
        Assert.Equal(DuplicateOrNone, retry.ErrorCode);
        Assert.Equal(first, retry.BaseOffset);
        Assert.Equal(4, (await again.FetchAsync(topic, 0, 0)).HighWatermark);
    }
}
