using Runnel.Grains.Storage;

namespace Runnel.Grains.Tests;

public sealed class ChunkMemoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1024)]
    [InlineData(ChunkMemory.HugePageThreshold - 1)]
    [InlineData(ChunkMemory.HugePageThreshold)]
    [InlineData(ChunkMemory.HugePageThreshold + 12345)]
    public void Chunks_of_every_size_hold_what_is_written(int capacity)
    {
        byte[] chunk = ChunkMemory.Allocate(capacity);
        Assert.Equal(capacity, chunk.Length);
        Random.Shared.NextBytes(chunk);
        byte[] copy = chunk.ToArray();
        GC.Collect(); // a pinned huge-page chunk must not move or change
        Assert.Equal(copy, chunk);
    }

    [Fact]
    public void A_log_that_grows_into_huge_page_chunks_reads_back_every_batch()
    {
        using PartitionLog log = PartitionLog.Open(_dir.Path, LogOptions.Default);
        var appended = new List<byte[]>();
        long bytes = 0;
        while (bytes < 3L * ChunkMemory.HugePageThreshold)
        {
            byte[] batch = TestBatches.Make(50, valueSize: 1000);
            Assert.True(log.Append(batch, leaderEpoch: 0).IsSuccess);
            appended.Add(batch);
            bytes += batch.Length;
        }

        byte[] stored = log.Read(0, int.MaxValue).ReadAll();
        Assert.Equal(bytes, stored.Length);
        Assert.Equal(appended.Count, TestBatches.ParseAll(stored).Count);
        Assert.Equal(stored, File.ReadAllBytes(Assert.Single(Directory.GetFiles(_dir.Path, "*.log"))));
    }
}
