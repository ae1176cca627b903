using Runnel.Grains.Partitions;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tests;

/// <summary>acks=-1 waits for disk through a group commit: every waiter is released by an fsync that covers it, and
/// waiters that pile up during one fsync share the next.</summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_waiter_is_released_once_its_offset_is_fsynced()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        var commit = new GroupCommit(log);
        long before = log.DurableOffset;
        LogAppendResult appended = log.Append(TestBatches.Make(3), leaderEpoch: 0);

        Assert.Equal(before, log.DurableOffset);
        await commit.WaitDurableAsync(appended.LastOffset).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(log.DurableOffset > appended.LastOffset);
        Assert.Equal(1, commit.SyncCount);
        Assert.True(commit.WaitDurableAsync(appended.LastOffset).IsCompletedSuccessfully, "an offset already durable needs no fsync");
    }

    [Fact]
    public async Task Waiters_that_arrive_during_an_fsync_share_the_next_one()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        var commit = new GroupCommit(log);
        var waits = new List<Task>();
        for (int i = 0; i < 300; i++)
        {
            LogAppendResult appended = log.Append(TestBatches.Make(1), leaderEpoch: 0);
            waits.Add(commit.WaitDurableAsync(appended.LastOffset));
        }

        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(300, log.DurableOffset);
        Assert.InRange(commit.SyncCount, 1, 150);
    }

    [Fact]
    public async Task Offsets_in_segments_sealed_meanwhile_are_durable_too()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 1000 });
        var commit = new GroupCommit(log);
        long last = -1;
        for (int i = 0; i < 40; i++)
        {
            last = log.Append(TestBatches.Make(2), leaderEpoch: 0).LastOffset;
        }

        Assert.True(log.SegmentCount > 3);
        await commit.WaitDurableAsync(last).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(80, log.DurableOffset);
    }

    [Fact]
    public async Task The_periodic_flush_also_advances_the_durable_offset()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        var commit = new GroupCommit(log);
        long last = log.Append(TestBatches.Make(5), leaderEpoch: 0).LastOffset;

        log.Flush();

        Assert.Equal(5, log.DurableOffset);
        await commit.WaitDurableAsync(last);
        Assert.Equal(0, commit.SyncCount);
    }

    [Fact]
    public async Task A_group_commit_sync_counts_as_the_periodic_flush()
    {
        var time = new ManualTimeProvider(1_700_000_000_000);
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { FlushIntervalMs = 1000 }, time);
        var commit = new GroupCommit(log);
        long last = log.Append(TestBatches.Make(2), leaderEpoch: 0).LastOffset;
        Assert.False(log.IsFlushDue);

        time.Advance(1500);
        Assert.True(log.IsFlushDue);
        await commit.WaitDurableAsync(last);

        Assert.False(log.IsFlushDue);
        Assert.Equal(2, log.DurableOffset);
    }
}
