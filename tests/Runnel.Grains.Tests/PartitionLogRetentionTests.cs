using Runnel.Grains.Storage;
using Runnel.Protocol;

namespace Runnel.Grains.Tests;

public sealed class PartitionLogRetentionTests : IDisposable
{
    private const long Now = 1_700_000_000_000;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Retention_by_time_deletes_whole_old_segments_and_survives_reopen()
    {
        var clock = new ManualTimeProvider(Now);
        var options = new LogOptions { SegmentBytes = 300, RetentionMs = 60_000 };
        using (PartitionLog log = PartitionLog.Open(_dir.Path, options, clock))
        {
            for (int i = 0; i < 10; i++)
            {
                log.Append(TestBatches.Make(2, timestamp: Now - 120_000, valueSize: 40), 0); // old
            }

            long firstNew = log.HighWatermark;
            for (int i = 0; i < 4; i++)
            {
                log.Append(TestBatches.Make(2, timestamp: Now, valueSize: 40), 0);
            }

            int segmentsBefore = log.SegmentCount;
            Assert.True(log.ApplyRetention() > 0);
            Assert.True(log.SegmentCount < segmentsBefore);
            Assert.True(log.LogStartOffset > 0 && log.LogStartOffset <= firstNew);
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(0, 100).Error);
            Assert.Equal(ErrorCode.None, log.Read(log.LogStartOffset, 100).Error);
            Assert.Equal(log.SegmentCount, Directory.GetFiles(_dir.Path, "*.log").Length);
        }

        using PartitionLog reopened = PartitionLog.Open(_dir.Path, options, clock);
        Assert.True(reopened.LogStartOffset > 0);
        Assert.Equal(28, reopened.HighWatermark);
    }

    [Fact]
    public void Retention_by_time_rolls_and_empties_an_expired_active_segment_but_keeps_the_next_offset()
    {
        var clock = new ManualTimeProvider(Now);
        var options = new LogOptions { RetentionMs = 1000 };
        using (PartitionLog log = PartitionLog.Open(_dir.Path, options, clock))
        {
            log.Append(TestBatches.Make(5, timestamp: Now), 0);
            clock.Advance(5000);
            Assert.Equal(1, log.ApplyRetention());
            Assert.Equal(5, log.LogStartOffset);
            Assert.Equal(5, log.HighWatermark);
            Assert.Equal(0, log.SizeInBytes);
            Assert.True(log.Read(5, 100).IsEmpty);
        }

        using PartitionLog reopened = PartitionLog.Open(_dir.Path, options, clock);
        Assert.Equal(5, reopened.LogStartOffset);
        Assert.Equal(5, reopened.Append(TestBatches.Make(1, timestamp: clock.NowMs), 0).BaseOffset);
    }

    [Fact]
    public void Retention_by_bytes_keeps_at_least_the_limit()
    {
        byte[] batch = TestBatches.Make(1, valueSize: 80);
        var options = new LogOptions { SegmentBytes = batch.Length * 2, RetentionBytes = batch.Length * 5 };
        using PartitionLog log = PartitionLog.Open(_dir.Path, options);
        for (int i = 0; i < 20; i++)
        {
            log.Append(batch, 0);
        }

        Assert.Equal(10, log.SegmentCount);
        log.ApplyRetention(Now);
        Assert.True(log.SizeInBytes >= options.RetentionBytes);
        Assert.True(log.SizeInBytes < options.RetentionBytes + options.SegmentBytes);
        Assert.Equal(20 - (log.SizeInBytes / batch.Length), log.LogStartOffset);
        Assert.Equal(log.SegmentCount, Directory.GetFiles(_dir.Path, "*.log").Length);
    }

    [Fact]
    public void Retention_forever_keeps_everything()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 200, RetentionMs = -1, RetentionBytes = -1 });
        for (int i = 0; i < 10; i++)
        {
            log.Append(TestBatches.Make(1, timestamp: 0, valueSize: 50), 0);
        }

        Assert.Equal(0, log.ApplyRetention(long.MaxValue / 2));
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public void Delete_records_moves_the_log_start_mid_segment_and_survives_reopen()
    {
        var options = new LogOptions { SegmentBytes = 400 };
        using (PartitionLog log = PartitionLog.Open(_dir.Path, options))
        {
            for (int i = 0; i < 10; i++)
            {
                log.Append(TestBatches.Make(3, valueSize: 40), 0);
            }

            int segments = log.SegmentCount;
            DeleteRecordsResult result = log.DeleteRecordsBefore(13);
            Assert.Equal(new DeleteRecordsResult(ErrorCode.None, 13), result);
            Assert.Equal(13, log.LogStartOffset);
            Assert.True(log.SegmentCount < segments);

            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(12, 1000).Error);
            LogReadResult read = log.Read(13, 1000);
            Assert.Equal(12, TestBatches.ParseAll(read.ReadAll())[0].BaseOffset); // the batch containing 13

            Assert.Equal(new DeleteRecordsResult(ErrorCode.None, 13), log.DeleteRecordsBefore(5));
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.DeleteRecordsBefore(31).Error);
            Assert.Equal(new TimestampOffset(13, 1_700_000_000_001), log.OffsetForTimestamp(0));
        }

        using PartitionLog reopened = PartitionLog.Open(_dir.Path, options);
        Assert.Equal(13, reopened.LogStartOffset);
        Assert.Equal(30, reopened.HighWatermark);
        Assert.Equal(ErrorCode.OffsetOutOfRange, reopened.Read(12, 1000).Error);
    }

    [Fact]
    public void Delete_records_to_the_high_watermark_empties_the_log_and_offsets_continue()
    {
        using (PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default))
        {
            log.Append(TestBatches.Make(4), 0);
            Assert.Equal(new DeleteRecordsResult(ErrorCode.None, 4), log.DeleteRecordsBefore(-1));
            Assert.Equal(0, log.SizeInBytes);
            Assert.Equal(1, log.SegmentCount);
        }

        using PartitionLog reopened = PartitionLog.Open(_dir.Path, LogOptions.Default);
        Assert.Equal(4, reopened.LogStartOffset);
        Assert.Equal(4, reopened.Append(TestBatches.Make(1), 0).BaseOffset);
    }

    [Fact]
    public void Flush_if_due_follows_the_flush_interval()
    {
        var clock = new ManualTimeProvider(Now);
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { FlushIntervalMs = 1000 }, clock);
        log.Append(TestBatches.Make(1), 0);
        Assert.False(log.FlushIfDue());
        clock.Advance(1000);
        Assert.True(log.FlushIfDue());
        Assert.False(log.FlushIfDue());
    }
}
