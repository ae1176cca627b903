using Runnel.Grains.Storage;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Tests;

public sealed class PartitionLogAppendReadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Offsets_are_dense_and_increasing_across_appends_and_rolls()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 1000 });
        long expected = 0;
        for (int i = 0; i < 50; i++)
        {
            int records = 1 + (i % 4);
            LogAppendResult result = log.Append(TestBatches.Make(records), leaderEpoch: 3);
            Assert.True(result.IsSuccess);
            Assert.Equal(expected, result.BaseOffset);
            Assert.Equal(expected + records - 1, result.LastOffset);
            expected += records;
            Assert.Equal(expected, log.HighWatermark);
        }

        Assert.True(log.SegmentCount > 5);
        Assert.Equal(log.SegmentCount, Directory.GetFiles(_dir.Path, "*.log").Length);

        List<RecordBatchHeader> all = TestBatches.ParseAll(log.Read(0, int.MaxValue).ReadAll());
        Assert.Equal(50, all.Count);
        long next = 0;
        foreach (RecordBatchHeader header in all)
        {
            Assert.Equal(next, header.BaseOffset);
            Assert.Equal(3, header.PartitionLeaderEpoch);
            next = header.LastOffset + 1;
        }

        Assert.Equal(expected, next);
    }

    [Fact]
    public void Stored_bytes_are_the_produced_bytes_except_base_offset_and_leader_epoch()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        log.Append(TestBatches.Make(3), 0);
        byte[] produced = TestBatches.Make(5, codec: CompressionCodec.Gzip);
        log.Append(produced, 7);

        byte[] stored = log.Read(3, int.MaxValue).ReadAll();
        Assert.Equal(produced.Length, stored.Length);
        Assert.Equal(3, RecordBatchHeader.Read(stored).BaseOffset);
        Assert.Equal(7, RecordBatchHeader.Read(stored).PartitionLeaderEpoch);
        Assert.True(stored.AsSpan(RecordBatchHeader.PartitionLeaderEpochOffset + 4).SequenceEqual(produced.AsSpan(RecordBatchHeader.PartitionLeaderEpochOffset + 4)));
        Assert.True(stored.AsSpan(RecordBatchHeader.BatchLengthOffset, 4).SequenceEqual(produced.AsSpan(RecordBatchHeader.BatchLengthOffset, 4)));
    }

    [Fact]
    public void A_read_mid_batch_returns_the_containing_batch()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        log.Append(TestBatches.Make(10), 0);
        log.Append(TestBatches.Make(10), 0);

        List<RecordBatchHeader> batches = TestBatches.ParseAll(log.Read(14, int.MaxValue).ReadAll());
        Assert.Single(batches);
        Assert.Equal(10, batches[0].BaseOffset);

        Assert.Equal(2, TestBatches.ParseAll(log.Read(9, int.MaxValue).ReadAll()).Count);
    }

    [Fact]
    public void Max_bytes_limits_whole_batches_but_the_first_is_always_returned()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        byte[] batch = TestBatches.Make(1, valueSize: 100);
        for (int i = 0; i < 5; i++)
        {
            log.Append(batch, 0);
        }

        Assert.Equal(2, TestBatches.ParseAll(log.Read(0, batch.Length * 2).ReadAll()).Count);
        Assert.Equal(2, TestBatches.ParseAll(log.Read(0, (batch.Length * 3) - 1).ReadAll()).Count);

        LogReadResult kip74 = log.Read(0, 10);
        Assert.Equal(ErrorCode.None, kip74.Error);
        Assert.Equal(batch.Length, kip74.SizeInBytes);

        LogReadResult strict = log.Read(0, 10, allowOversizedFirstBatch: false);
        Assert.Equal(ErrorCode.None, strict.Error);
        Assert.True(strict.IsEmpty);
    }

    [Fact]
    public void Batches_in_one_chunk_come_back_as_one_slice()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        for (int i = 0; i < 10; i++)
        {
            log.Append(TestBatches.Make(2), 0);
        }

        LogReadResult read = log.Read(0, int.MaxValue);
        Assert.Single(read.Slices);
        Assert.Equal(10, TestBatches.ParseAll(read.ReadAll()).Count);
    }

    [Fact]
    public void Reads_at_the_high_watermark_are_empty_and_outside_the_log_are_out_of_range()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        Assert.True(log.Read(0, 1000).IsEmpty);
        Assert.Equal(ErrorCode.None, log.Read(0, 1000).Error);

        log.Append(TestBatches.Make(4), 0);
        LogReadResult atEnd = log.Read(4, 1000);
        Assert.Equal(ErrorCode.None, atEnd.Error);
        Assert.True(atEnd.IsEmpty);
        Assert.Equal(4, atEnd.HighWatermark);

        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(5, 1000).Error);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(-1, 1000).Error);
    }

    [Fact]
    public void Too_large_or_malformed_appends_are_refused_without_changing_the_log()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { MaxMessageBytes = 500 });
        LogAppendResult tooLarge = log.Append(TestBatches.Make(1, valueSize: 600), 0);
        Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.Error);
        Assert.Contains("max.message.bytes", tooLarge.Message, StringComparison.Ordinal);

        byte[] good = TestBatches.Make(1);
        Assert.Equal(ErrorCode.CorruptMessage, log.Append(good.AsSpan(0, good.Length - 1), 0).Error);
        Assert.Equal(ErrorCode.CorruptMessage, log.Append(TestBatches.Concat(good, good.AsSpan(0, 30).ToArray()), 0).Error);
        Assert.Equal(ErrorCode.CorruptMessage, log.Append([], 0).Error);
        byte[] magic1 = (byte[])good.Clone();
        magic1[RecordBatchHeader.MagicOffset] = 1;
        Assert.Equal(ErrorCode.UnsupportedForMessageFormat, log.Append(magic1, 0).Error);

        Assert.Equal(0, log.HighWatermark);
        Assert.Equal(0, log.SizeInBytes);
        Assert.Equal(0, log.Append(good, 0).BaseOffset);
    }

    [Fact]
    public void Several_batches_in_one_append_get_consecutive_offsets()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        LogAppendResult result = log.Append(TestBatches.Concat(TestBatches.Make(2), TestBatches.Make(3)), 0);
        Assert.Equal(0, result.BaseOffset);
        Assert.Equal(4, result.LastOffset);
        List<RecordBatchHeader> stored = TestBatches.ParseAll(log.Read(0, int.MaxValue).ReadAll());
        Assert.Equal([0L, 2L], stored.Select(h => h.BaseOffset));
    }

    [Fact]
    public void Offset_for_timestamp_finds_the_first_record_at_or_after_it()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 400, IndexIntervalBytes = 100 });
        for (int i = 0; i < 20; i++)
        {
            log.Append(TestBatches.Make(5, timestamp: 1000 + (i * 10)), 0); // records at 1000+10i .. 1000+10i+4
        }

        Assert.True(log.SegmentCount > 3);
        Assert.Equal(new TimestampOffset(0, 1000), log.OffsetForTimestamp(0));
        Assert.Equal(new TimestampOffset(12, 1022), log.OffsetForTimestamp(1022));
        Assert.Equal(new TimestampOffset(15, 1030), log.OffsetForTimestamp(1025));
        Assert.Equal(new TimestampOffset(99, 1194), log.OffsetForTimestamp(1194));
        Assert.Equal(TimestampOffset.None, log.OffsetForTimestamp(1195));
        Assert.Equal(new TimestampOffset(0, -1), log.OffsetForTimestamp(PartitionLog.EarliestTimestamp));
        Assert.Equal(new TimestampOffset(100, -1), log.OffsetForTimestamp(PartitionLog.LatestTimestamp));
        Assert.Equal(new TimestampOffset(99, 1194), log.OffsetForTimestamp(PartitionLog.MaxTimestamp));
    }

    [Fact]
    public void Offset_for_timestamp_in_a_compressed_batch_answers_its_base_offset()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        log.Append(TestBatches.Make(5, timestamp: 1000), 0);
        log.Append(TestBatches.Make(5, timestamp: 2000, codec: CompressionCodec.Gzip), 0);
        Assert.Equal(new TimestampOffset(5, 2004), log.OffsetForTimestamp(2002));
    }

    [Fact]
    public void Segments_roll_after_segment_ms()
    {
        var clock = new ManualTimeProvider(1_000_000);
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentMs = 1000 }, clock);
        log.Append(TestBatches.Make(1), 0);
        clock.Advance(999);
        log.Append(TestBatches.Make(1), 0);
        Assert.Equal(1, log.SegmentCount);
        clock.Advance(1);
        log.Append(TestBatches.Make(1), 0);
        Assert.Equal(2, log.SegmentCount);
        Assert.True(File.Exists(_dir.Combine(LogSegment.FileNameFor(2))));
    }

    [Fact]
    public void A_batch_larger_than_the_chunk_size_is_stored_and_read_whole()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { InitialChunkBytes = 256, MaxChunkBytes = 1024 });
        log.Append(TestBatches.Make(1, valueSize: 100), 0);
        log.Append(TestBatches.Make(3, valueSize: 2000), 0);
        log.Append(TestBatches.Make(1, valueSize: 100), 0);
        List<RecordBatchHeader> all = TestBatches.ParseAll(log.Read(0, int.MaxValue).ReadAll());
        Assert.Equal([0L, 1L, 4L], all.Select(h => h.BaseOffset));
    }
}
