using Runnel.Grains.Producers;
using Runnel.Grains.Storage;
using Runnel.Records;

namespace Runnel.Grains.Tests;

public sealed class ProducerStateTableTests
{
    [Fact]
    public void Batches_without_a_producer_id_are_never_checked()
    {
        var table = new ProducerStateTable();
        RecordBatchHeader plain = TestBatches.Header(-1, -1, -1);
        table.Record(plain, 0);
        Assert.Equal(ProducerCheckResult.Ok, table.Check(plain));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void An_unknown_producer_is_accepted_at_any_sequence()
    {
        var table = new ProducerStateTable();
        Assert.Equal(ProducerCheckOutcome.Ok, table.Check(TestBatches.Header(7, 0, 42)).Outcome);
    }

    [Fact]
    public void Sequences_must_follow_and_retries_of_the_last_five_are_duplicates()
    {
        var table = new ProducerStateTable();
        long offset = 100;
        for (int i = 0; i < 7; i++)
        {
            RecordBatchHeader batch = TestBatches.Header(7, 0, i * 3, records: 3);
            Assert.Equal(ProducerCheckOutcome.Ok, table.Check(batch).Outcome);
            table.Record(batch, offset);
            offset += 3;
        }

        // batches 2..6 are remembered (sequences 6..20), batch 1 (3..5) fell out of the window
        Assert.Equal(ProducerCheckResult.Duplicate(112, 114), table.Check(TestBatches.Header(7, 0, 12, records: 3)));
        Assert.Equal(ProducerCheckResult.Duplicate(106, 108), table.Check(TestBatches.Header(7, 0, 6, records: 3)));
        Assert.Equal(ProducerCheckOutcome.OutOfOrderSequence, table.Check(TestBatches.Header(7, 0, 3, records: 3)).Outcome);
        Assert.Equal(ProducerCheckOutcome.OutOfOrderSequence, table.Check(TestBatches.Header(7, 0, 22)).Outcome);
        Assert.Equal(ProducerCheckOutcome.Ok, table.Check(TestBatches.Header(7, 0, 21)).Outcome);
    }

    [Fact]
    public void Sequences_wrap_from_int_max_to_zero()
    {
        var table = new ProducerStateTable();
        table.Record(TestBatches.Header(7, 0, int.MaxValue - 1, records: 2), 0);
        Assert.Equal(ProducerCheckOutcome.Ok, table.Check(TestBatches.Header(7, 0, 0)).Outcome);
        Assert.Equal(ProducerCheckOutcome.OutOfOrderSequence, table.Check(TestBatches.Header(7, 0, 1)).Outcome);
    }

    [Fact]
    public void Epochs_fence_older_producers_and_a_new_epoch_starts_at_zero()
    {
        var table = new ProducerStateTable();
        table.Record(TestBatches.Header(7, 3, 0, records: 5), 0);
        Assert.Equal(ProducerCheckOutcome.InvalidProducerEpoch, table.Check(TestBatches.Header(7, 2, 5)).Outcome);
        Assert.Equal(ProducerCheckOutcome.OutOfOrderSequence, table.Check(TestBatches.Header(7, 4, 5)).Outcome);
        Assert.Equal(ProducerCheckOutcome.Ok, table.Check(TestBatches.Header(7, 4, 0)).Outcome);

        table.Record(TestBatches.Header(7, 4, 0), 5);
        Assert.True(table.TryGetProducer(7, out short epoch, out int lastSequence, out long lastBaseOffset));
        Assert.Equal((4, 0, 5L), (epoch, lastSequence, lastBaseOffset));
        Assert.Equal(ProducerCheckOutcome.InvalidProducerEpoch, table.Check(TestBatches.Header(7, 3, 5)).Outcome);
    }

    [Fact]
    public void The_log_rebuilds_producer_state_when_it_opens()
    {
        using var dir = new TempDirectory();
        using (PartitionLog log = PartitionLog.Open(dir.Path, LogOptions.Default))
        {
            log.Append(TestBatches.Make(2), 0); // offsets 0-1, no producer
            log.Append(TestBatches.Make(3, producerId: 9, producerEpoch: 1, baseSequence: 0), 0); // 2-4
            log.Append(TestBatches.Make(2, producerId: 9, producerEpoch: 1, baseSequence: 3), 0); // 5-6
        }

        using PartitionLog reopened = PartitionLog.Open(dir.Path, LogOptions.Default);
        ProducerStateTable producers = reopened.Producers;
        RecordBatchHeader retry = RecordBatchHeader.Read(TestBatches.Make(2, producerId: 9, producerEpoch: 1, baseSequence: 3));
        Assert.Equal(ProducerCheckResult.Duplicate(5, 6), producers.Check(retry));
        RecordBatchHeader next = RecordBatchHeader.Read(TestBatches.Make(1, producerId: 9, producerEpoch: 1, baseSequence: 5));
        Assert.Equal(ProducerCheckOutcome.Ok, producers.Check(next).Outcome);
        RecordBatchHeader gap = RecordBatchHeader.Read(TestBatches.Make(1, producerId: 9, producerEpoch: 1, baseSequence: 7));
        Assert.Equal(ProducerCheckOutcome.OutOfOrderSequence, producers.Check(gap).Outcome);
    }
}
