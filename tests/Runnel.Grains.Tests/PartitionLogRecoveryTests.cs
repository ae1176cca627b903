using System.Buffers.Binary;
using Runnel.Grains.Storage;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Tests;

public sealed class PartitionLogRecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_clean_reopen_keeps_everything_and_appends_continue()
    {
        using (PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 500 }))
        {
            for (int i = 0; i < 20; i++)
            {
                log.Append(TestBatches.Make(3), 1);
            }
        }

        using PartitionLog reopened = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 500 });
        Assert.Equal(60, reopened.HighWatermark);
        Assert.Equal(0, reopened.LogStartOffset);
        Assert.Equal(20, TestBatches.ParseAll(reopened.Read(0, int.MaxValue).ReadAll()).Count);
        Assert.Equal(60, reopened.Append(TestBatches.Make(1), 1).BaseOffset);
    }

    [Fact]
    public void Truncating_the_last_batch_at_every_byte_keeps_only_whole_batches()
    {
        string source = _dir.Combine("source");
        long lastBase;
        using (PartitionLog log = PartitionLog.Open(source, new LogOptions { SegmentBytes = 300 }))
        {
            for (int i = 0; i < 6; i++)
            {
                log.Append(TestBatches.Make(2, valueSize: 20), 0);
            }

            lastBase = log.Append(TestBatches.Make(3, valueSize: 20), 0).BaseOffset;
        }

        string lastFile = Directory.GetFiles(source, "*.log").Max(StringComparer.Ordinal)!;
        byte[] original = File.ReadAllBytes(lastFile);
        int lastStart = original.Length - TestBatches.Make(3, valueSize: 20).Length;

        for (int cut = lastStart; cut < original.Length; cut++)
        {
            string copy = _dir.Combine("cut" + cut);
            CopyDirectory(source, copy);
            File.WriteAllBytes(Path.Combine(copy, Path.GetFileName(lastFile)), original.AsSpan(0, cut).ToArray());

            using PartitionLog log = PartitionLog.Open(copy, new LogOptions { SegmentBytes = 300 });
            Assert.Equal(lastBase, log.HighWatermark);
            Assert.Equal(lastStart, new FileInfo(Path.Combine(copy, Path.GetFileName(lastFile))).Length);
            List<RecordBatchHeader> kept = TestBatches.ParseAll(log.Read(0, int.MaxValue).ReadAll());
            Assert.Equal(lastBase, kept[^1].LastOffset + 1);
            Assert.Equal(lastBase, log.Append(TestBatches.Make(2), 0).BaseOffset);
            Assert.Equal(lastBase + 2, log.HighWatermark);
        }
    }

    [Fact]
    public void A_bad_crc_in_a_sealed_segment_cuts_there_and_drops_later_segments()
    {
        using (PartitionLog log = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 300 }))
        {
            for (int i = 0; i < 12; i++)
            {
                log.Append(TestBatches.Make(1, valueSize: 40), 0);
            }

            Assert.True(log.SegmentCount >= 3);
        }

        string first = _dir.Combine(LogSegment.FileNameFor(0));
        byte[] bytes = File.ReadAllBytes(first);
        int second = RecordBatchHeader.Read(bytes).TotalSize;
        bytes[second + RecordBatchHeader.Size + 3] ^= 0xFF; // inside the records of batch 1, covered by the CRC
        File.WriteAllBytes(first, bytes);

        using PartitionLog reopened = PartitionLog.Open(_dir.Path, new LogOptions { SegmentBytes = 300 });
        Assert.Equal(1, reopened.HighWatermark);
        Assert.Equal(1, reopened.SegmentCount);
        Assert.Single(Directory.GetFiles(_dir.Path, "*.log"));
        Assert.Equal(1, reopened.Append(TestBatches.Make(1), 0).BaseOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Garbage_segment_files_never_throw_and_keep_the_valid_prefix(int seed)
    {
        byte[] valid = StoredBatch(TestBatches.Make(2), baseOffset: 0);
        var random = new Random(seed);
        byte[] garbage = new byte[random.Next(1, 5000)];
        random.NextBytes(garbage);
        File.WriteAllBytes(_dir.Combine(LogSegment.FileNameFor(0)), seed % 2 == 0 ? garbage : TestBatches.Concat(valid, garbage));

        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        long expected = seed % 2 == 0 ? 0 : 2;
        Assert.Equal(expected, log.HighWatermark);
        Assert.Equal(expected == 0 ? 0 : valid.Length, new FileInfo(_dir.Combine(LogSegment.FileNameFor(0))).Length);
        Assert.Equal(expected, log.Append(TestBatches.Make(1), 0).BaseOffset);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(48)]
    [InlineData(1 << 30)]
    public void Huge_or_impossible_length_fields_are_a_torn_tail(int batchLength)
    {
        byte[] valid = StoredBatch(TestBatches.Make(2), baseOffset: 0);
        byte[] bogus = StoredBatch(TestBatches.Make(1), baseOffset: 2);
        BinaryPrimitives.WriteInt32BigEndian(bogus.AsSpan(RecordBatchHeader.BatchLengthOffset), batchLength);
        File.WriteAllBytes(_dir.Combine(LogSegment.FileNameFor(0)), TestBatches.Concat(valid, bogus));

        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        Assert.Equal(2, log.HighWatermark);
        Assert.Equal(valid.Length, log.SizeInBytes);
    }

    [Fact]
    public void Batches_whose_offsets_do_not_follow_are_cut()
    {
        byte[] first = StoredBatch(TestBatches.Make(2), baseOffset: 10);
        byte[] gap = StoredBatch(TestBatches.Make(2), baseOffset: 13);
        File.WriteAllBytes(_dir.Combine(LogSegment.FileNameFor(10)), TestBatches.Concat(first, gap));

        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        Assert.Equal(10, log.LogStartOffset);
        Assert.Equal(12, log.HighWatermark);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(9, 100).Error);
    }

    [Fact]
    public void Files_that_are_not_segments_are_left_alone()
    {
        File.WriteAllText(_dir.Combine("notes.txt"), "hello");
        File.WriteAllText(_dir.Combine("123.log"), "not a segment name");
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        Assert.Equal(0, log.HighWatermark);
        Assert.True(File.Exists(_dir.Combine("notes.txt")));
        Assert.True(File.Exists(_dir.Combine("123.log")));
    }

    [Fact]
    public void Data_written_without_flush_is_in_the_file_before_append_returns()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        byte[] batch = TestBatches.Make(2);
        log.Append(batch, 0);

        // What another process (or this one after kill -9) would find: the OS already has the bytes.
        using var reader = new FileStream(_dir.Combine(LogSegment.FileNameFor(0)), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.Equal(batch.Length, reader.Length);
    }

    /// <summary>A batch as the log would have stored it at <paramref name="baseOffset"/>.</summary>
    private static byte[] StoredBatch(byte[] produced, long baseOffset)
    {
        RecordBatchHeader.AssignOffset(produced, baseOffset, 0);
        return produced;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
