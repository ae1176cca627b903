using Runnel.Grains.Producers;
using Runnel.Grains.Storage;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Tests;

/// <summary>
/// The partition's transaction index on real segment files: the last stable offset follows the earliest open
/// transaction, aborts are listed for read_committed readers, and both come back when the log is reopened.
/// </summary>
public sealed class PartitionLogTransactionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Transactional(long producerId, int records, int baseSequence)
    {
        var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = baseSequence, IsTransactional = true };
        for (int i = 0; i < records; i++)
        {
            builder.Add(1_700_000_000_000 + i, null, [(byte)i]);
        }

        return builder.ToArray();
    }

    [Fact]
    public async Task The_last_stable_offset_and_aborted_transactions_follow_the_markers_and_survive_a_reopen()
    {
        using (PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 400 }))
        {
            log.Append(TestBatches.Make(2), 1);                                  // 0-1 plain
            log.Append(Transactional(7, 2, 0), 1);                               // 2-3 producer 7
            Assert.Equal(2, log.LastStableOffset);
            log.Append(Transactional(8, 1, 0), 1);                               // 4 producer 8
            log.Append(TransactionMarker.Build(7, 0, commit: false, 0, 0), 1);   // 5 abort 7
            Assert.Equal(4, log.LastStableOffset);                               // 8 still open
            Assert.Equal(6, log.HighWatermark);

            CommittedRead stable = await log.ReadCommittedAsync(0, int.MaxValue, true, CancellationToken.None);
            Assert.Equal(4, stable.LastStableOffset);
            Assert.Equal(6, stable.Read.HighWatermark);
            Assert.Equal([0L, 2L], TestBatches.ParseAll(stable.Read.ReadAll()).Select(b => b.BaseOffset)); // nothing of producer 8
            Assert.Equal([new AbortedTransaction(7, 2, 5)], stable.AbortedTransactions!);

            // Between the last stable offset and the high watermark: empty, not out of range.
            CommittedRead waiting = await log.ReadCommittedAsync(5, int.MaxValue, true, CancellationToken.None);
            Assert.Equal(ErrorCode.None, waiting.Read.Error);
            Assert.True(waiting.Read.IsEmpty);
        }

        using (PartitionLog reopened = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 400 }))
        {
            Assert.Equal(4, reopened.LastStableOffset);
            Assert.Equal([new AbortedTransaction(7, 2, 5)], reopened.Producers.Transactions.Aborted);
            Assert.True(reopened.Producers.Transactions.IsOpen(8));

            reopened.Append(TransactionMarker.Build(8, 0, commit: true, 0, 0), 1); // 6 commit 8
            Assert.Equal(7, reopened.LastStableOffset);
            Assert.Equal(7, reopened.HighWatermark);
            CommittedRead all = await reopened.ReadCommittedAsync(3, int.MaxValue, true, CancellationToken.None);
            Assert.Equal([new AbortedTransaction(7, 2, 5)], all.AbortedTransactions!);
            CommittedRead after = await reopened.ReadCommittedAsync(6, int.MaxValue, true, CancellationToken.None);
            Assert.Null(after.AbortedTransactions); // nothing aborted at or after offset 6
        }
    }

    [Fact]
    public void A_marker_of_a_producer_with_nothing_open_changes_nothing()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions());
        log.Append(TransactionMarker.Build(9, 0, commit: false, 0, 0), 1);
        Assert.Equal(1, log.LastStableOffset);
        Assert.Empty(log.Producers.Transactions.Aborted);
        Assert.Equal(true, TransactionMarker.IsCommit(TransactionMarker.Build(9, 0, commit: true, 0, 0)));
        Assert.Equal(false, TransactionMarker.IsCommit(TransactionMarker.Build(9, 0, commit: false, 0, 0)));
    }

    [Fact]
    public void Aborts_whose_markers_are_no_longer_in_a_local_segment_come_back_from_the_abort_file()
    {
        var options = new LogOptions { SegmentBytes = 100 }; // one batch per segment
        using (PartitionLog log = PartitionLog.Open(_dir.Path, options))
        {
            log.Append(Transactional(7, 2, 0), 1);                               // 0-1
            log.Append(TransactionMarker.Build(7, 0, commit: false, 0, 0), 1);   // 2 abort 7
            log.Append(TestBatches.Make(1), 1);                                  // 3
            log.Append(TestBatches.Make(1), 1);                                  // 4
        }

        // As local retention does once the blob tier holds them: the segments up to the marker leave the folder.
        foreach (string file in Directory.GetFiles(_dir.Path, "*.log"))
        {
            if (long.Parse(Path.GetFileName(file)[..20], System.Globalization.CultureInfo.InvariantCulture) <= 2)
            {
                File.Delete(file);
            }
        }

        using (PartitionLog reopened = PartitionLog.Open(_dir.Path, options))
        {
            Assert.Equal([new AbortedTransaction(7, 0, 2)], reopened.Producers.Transactions.Aborted);

            // Here nothing below offset 3 is readable any more (no blob tier in this test), so the next publish
            // trims the entry and rewrites the file without it.
            reopened.Append(TestBatches.Make(1), 1);
            Assert.Empty(reopened.Producers.Transactions.Aborted);
        }

        using PartitionLog again = PartitionLog.Open(_dir.Path, options);
        Assert.Empty(again.Producers.Transactions.Aborted);
    }
}
