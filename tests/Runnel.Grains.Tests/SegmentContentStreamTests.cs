using Runnel.Grains.Storage;
using Runnel.Records;

namespace Runnel.Grains.Tests;

/// <summary>Uploads read resident segments from memory: those bytes must be the file's, to the last one.</summary>
public sealed class SegmentContentStreamTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_resident_segment_reads_back_as_its_file_with_the_same_crc()
    {
        // Small chunks so batches spread over many of them (with unused tails); a tiny writeback step exercises the hint.
        var options = new LogOptions { SegmentBytes = 8_000, InitialChunkBytes = 512, MaxChunkBytes = 2048, WritebackBytes = 1 };
        using PartitionLog log = PartitionLog.Open(_dir.Path, options);
        for (int i = 0; i < 300; i++)
        {
            Assert.True(log.Append(TestBatches.Make(1 + (i % 7)), leaderEpoch: 1).IsSuccess);
        }

        LogSegment[] segments = log.PublishedSegments;
        Assert.True(segments.Length > 2);
        foreach (LogSegment segment in segments)
        {
            byte[] file = File.ReadAllBytes(segment.FilePath);
            SegmentState state = segment.State;
            Assert.True(state.IsResident);
            Assert.True(state.ChunkCount > 1 || file.Length == 0);

            using var stream = new SegmentContentStream(state);
            Assert.Equal(file.Length, stream.Length);
            Assert.Equal(file, ReadInPieces(stream, 777));
            Assert.Equal(~Crc32C.Append(0xFFFFFFFFu, file), SegmentContentStream.ComputeCrc32C(state));

            // Positioned reads, as a retried upload does.
            stream.Position = file.Length / 3;
            byte[] tail = ReadInPieces(stream, 4096);
            Assert.Equal(file.AsSpan(file.Length / 3).ToArray(), tail);
        }
    }

    [Fact]
    public void An_evicted_segment_is_refused()
    {
        SegmentState evicted = new SegmentState([], 0, [], 0, [], 0, nextOffset: 10, sizeInBytes: 100, maxTimestamp: -1, offsetOfMaxTimestamp: -1);
        Assert.Throws<ArgumentException>(() => new SegmentContentStream(evicted));
    }

    private static byte[] ReadInPieces(Stream stream, int pieceBytes)
    {
        var result = new MemoryStream();
        byte[] buffer = new byte[pieceBytes];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return result.ToArray();
    }
}
