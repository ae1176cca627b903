using Runnel.Grains.Storage;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Tests;

public sealed class PartitionLogConcurrencyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Readers_never_see_torn_batches_or_data_above_the_high_watermark()
    {
        var options = new LogOptions { SegmentBytes = 4096, InitialChunkBytes = 512, MaxChunkBytes = 2048, IndexIntervalBytes = 256, RetentionBytes = 64 * 1024 };
        using PartitionLog log = PartitionLog.Open(_dir.Path, options);
        const int Appends = 3000;
        using var done = new CancellationTokenSource();

        Task writer = Task.Run(() =>
        {
            var random = new Random(1);
            for (int i = 0; i < Appends; i++)
            {
                Assert.True(log.Append(TestBatches.Make(random.Next(1, 6), timestamp: i, valueSize: random.Next(0, 300)), 0).IsSuccess);
                if (i % 100 == 0)
                {
                    log.ApplyRetention();
                }
            }

            done.Cancel();
        });

        Task[] readers = [.. Enumerable.Range(0, 2).Select(seed => Task.Run(() => ReadUntilDone(log, seed, done.Token)))];
        await writer;
        int[] reads = await Task.WhenAll(readers.Cast<Task<int>>());
        Assert.All(reads, count => Assert.True(count > 0));
    }

    private static int ReadUntilDone(PartitionLog log, int seed, CancellationToken done)
    {
        var random = new Random(seed);
        int reads = 0;
        while (!done.IsCancellationRequested || reads == 0)
        {
            long start = log.LogStartOffset;
            long end = log.HighWatermark;
            long fetchOffset = start + (long)(random.NextDouble() * (end - start + 1));
            LogReadResult result = log.Read(fetchOffset, random.Next(1, 20_000));
            reads++;
            if (result.Error == ErrorCode.OffsetOutOfRange)
            {
                Assert.True(fetchOffset < result.LogStartOffset || fetchOffset > result.HighWatermark);
                continue;
            }

            Assert.Equal(ErrorCode.None, result.Error);
            List<RecordBatchHeader> batches = TestBatches.ParseAll(result.ReadAll());
            if (fetchOffset == result.HighWatermark)
            {
                Assert.Empty(batches);
                continue;
            }

            Assert.NotEmpty(batches);
            Assert.True(batches[0].BaseOffset <= fetchOffset && batches[0].LastOffset >= fetchOffset);
            for (int i = 1; i < batches.Count; i++)
            {
                Assert.Equal(batches[i - 1].LastOffset + 1, batches[i].BaseOffset);
            }

            Assert.True(batches[^1].LastOffset < result.HighWatermark);
            _ = log.OffsetForTimestamp(random.Next(0, 3000));
        }

        return reads;
    }
}
