using System.Buffers.Binary;
using System.Diagnostics;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>
/// Reads of one partition's segments that are not in memory: ranged reads of whole batches from the local file
/// while there is one, else from the blob tier, with read-ahead of the next block so a consumer streaming through
/// cold history mostly finds its next block already fetched. Batches are served as stored, like hot reads.
/// </summary>
/// <remarks>
/// A few recent blocks are kept per partition (<see cref="MaxBlocks"/>); a block is loaded once even when several
/// fetches ask for it at the same time. Loads are not cancelled by the fetch that started them, since another
/// fetch (or the read-ahead) may be waiting for the same block. Blocks live outside the hot cache's budget, so
/// the partition drops those unused for <see cref="IdleBlockLifetime"/> (<see cref="DropIdle"/>): a consumer
/// that caught up or went away would otherwise pin up to <see cref="MaxBlocks"/> blocks per partition for good.
/// </remarks>
internal sealed class ColdSegmentReader
{
    private const int MaxBlocks = 4;

    /// <summary>A consumer streaming cold history touches its block every fetch; ten idle seconds mean it is done.</summary>
    public static readonly TimeSpan IdleBlockLifetime = TimeSpan.FromSeconds(10);

    private readonly IRemoteSegmentSource? _remote;
    private readonly int _blockBytes;
    private readonly StorageMetrics? _metrics;
    private readonly Lock _lock = new();
    private readonly List<ColdBlock> _blocks = new(MaxBlocks + 1);
    private readonly TimeProvider _time;

    public ColdSegmentReader(IRemoteSegmentSource? remote, int blockBytes, StorageMetrics? metrics, TimeProvider time)
    {
        _remote = remote;
        _blockBytes = Math.Max(blockBytes, 64 * 1024);
        _metrics = metrics;
        _time = time;
    }

    /// <summary>Blocks held now, loaded or loading.</summary>
    public int BlockCount
    {
        get
        {
            lock (_lock)
            {
                return _blocks.Count;
            }
        }
    }

    /// <summary>Whole batches of <paramref name="segment"/> from the one holding <paramref name="fetchOffset"/>; see <see cref="PartitionLog.Read"/>.</summary>
    public async ValueTask<LogReadResult> ReadAsync(LogView view, LogSegment segment, long fetchOffset, int maxBytes, bool allowOversizedFirstBatch, CancellationToken cancellationToken)
    {
        await EnsureIndexesAsync(segment, cancellationToken).ConfigureAwait(false);
        SegmentState state = segment.State;
        long position = state.LookupOffset(fetchOffset);
        List<ReadOnlyMemory<byte>>? slices = null;
        int total = 0;
        bool done = false;
        while (!done && position < state.SizeInBytes)
        {
            ReadOnlyMemory<byte> bytes = await GetBytesAsync(segment, position, cancellationToken).ConfigureAwait(false);
            int at = 0;
            int runStart = -1;
            int runLength = 0;
            while (at < bytes.Length)
            {
                ReadOnlySpan<byte> header = bytes.Span[at..];
                int size = RecordBatchHeader.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.BatchLengthOffset..]);
                long baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
                long lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.LastOffsetDeltaOffset..]);
                if (lastOffset < fetchOffset)
                {
                    at += size;
                    continue;
                }

                if (baseOffset >= view.HighWatermark || ((total > 0 || !allowOversizedFirstBatch) && (long)total + size > maxBytes))
                {
                    done = true;
                    break;
                }

                runStart = runStart < 0 ? at : runStart;
                runLength += size;
                total += size;
                at += size;
            }

            if (runLength > 0)
            {
                (slices ??= new List<ReadOnlyMemory<byte>>(2)).Add(bytes.Slice(runStart, runLength));
            }

            if (bytes.Length == 0)
            {
                break;
            }

            position += bytes.Length;
            done |= total >= maxBytes;
        }

        if (position < state.SizeInBytes)
        {
            _ = StartBlock(segment, position); // read-ahead: the consumer's next fetch starts here
        }

        return slices is null
            ? LogReadResult.Empty(ErrorCode.None, view)
            : new LogReadResult(ErrorCode.None, view.HighWatermark, view.LogStartOffset, slices, total);
    }

    /// <summary>Forgets the loaded blocks no read has used for <see cref="IdleBlockLifetime"/>; returns how many.</summary>
    public int DropIdle()
    {
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            return _blocks.RemoveAll(b => b.Loaded && _time.GetElapsedTime(b.LastUsed, now) >= IdleBlockLifetime);
        }
    }

    /// <summary>Forgets every block (the log closed, or retention removed segments).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _blocks.Clear();
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> GetBytesAsync(LogSegment segment, long position, CancellationToken cancellationToken)
    {
        ColdBlock block = StartBlock(segment, position);
        try
        {
            return Slice(await block.Bytes.WaitAsync(cancellationToken).ConfigureAwait(false), block.Start, position);
        }
        catch (Exception e) when (e is IOException or Runnel.Grains.BlobStorage.BlobStoreException)
        {
            // A failed read-ahead must not poison the block: forget it and read once more, now for this fetch.
            Forget(block);
            block = StartBlock(segment, position);
            return Slice(await block.Bytes.WaitAsync(cancellationToken).ConfigureAwait(false), block.Start, position);
        }
    }

    /// <summary>The loaded block from <paramref name="position"/> on (positions inside a block are batch boundaries).</summary>
    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> bytes, long blockStart, long position) =>
        position - blockStart >= bytes.Length ? ReadOnlyMemory<byte>.Empty : bytes[(int)(position - blockStart)..];

    private ColdBlock StartBlock(LogSegment segment, long position)
    {
        lock (_lock)
        {
            foreach (ColdBlock existing in _blocks)
            {
                // A pending block's end is unknown, so it only serves a read starting exactly where it does.
                if (existing.Segment == segment && (existing.Start == position || (existing.Start < position && position < existing.End && existing.Loaded)))
                {
                    existing.LastUsed = _time.GetTimestamp();
                    return existing;
                }
            }

            var block = new ColdBlock(segment, position) { LastUsed = _time.GetTimestamp() };
            block.Bytes = LoadAsync(block);
            _blocks.Add(block);
            if (_blocks.Count > MaxBlocks)
            {
                _blocks.RemoveAt(0);
            }

            return block;
        }
    }

    private void Forget(ColdBlock block)
    {
        lock (_lock)
        {
            _blocks.Remove(block);
        }
    }

    private async Task<ReadOnlyMemory<byte>> LoadAsync(ColdBlock block)
    {
        await Task.Yield(); // the caller holds the lock; the read itself runs outside it
        long started = Stopwatch.GetTimestamp();
        long size = block.Segment.State.SizeInBytes;
        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(_blockBytes, size - block.Start));
        (string tier, int read) = await ReadRangeAsync(block.Segment, block.Start, buffer).ConfigureAwait(false);
        int whole = WholeBatches(buffer.AsSpan(0, read), out int firstBatchSize);
        if (whole == 0 && firstBatchSize > read && block.Start + firstBatchSize <= size)
        {
            // One batch larger than a block: read exactly that batch.
            buffer = GC.AllocateUninitializedArray<byte>(firstBatchSize);
            (tier, read) = await ReadRangeAsync(block.Segment, block.Start, buffer).ConfigureAwait(false);
            whole = WholeBatches(buffer.AsSpan(0, read), out _);
        }

        _metrics?.ColdRead(tier, started, read);
        block.End = block.Start + whole;
        return buffer.AsMemory(0, whole);
    }

    private async Task<(string Tier, int Read)> ReadRangeAsync(LogSegment segment, long position, byte[] buffer)
    {
        if (segment.HasLocalFile)
        {
            try
            {
                using var file = File.OpenHandle(segment.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
                int read = 0;
                while (read < buffer.Length)
                {
                    int n = await RandomAccess.ReadAsync(file, buffer.AsMemory(read), position + read).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                return ("local", read);
            }
            catch (FileNotFoundException) when (segment.Remote is not null)
            {
                // Local retention dropped the file after the upload: the blob tier has it.
            }
        }

        RemoteCopy copy = segment.Remote ?? throw new IOException($"Segment {segment.BaseOffset} has neither a local file nor a remote copy (deleted by retention).");
        IRemoteSegmentSource remote = _remote ?? throw new IOException($"Segment {segment.BaseOffset} is only in the blob tier, which is not configured.");
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await remote.ReadAsync(copy, position + total, buffer.AsMemory(total), CancellationToken.None).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return ("remote", total);
    }

    private async ValueTask EnsureIndexesAsync(LogSegment segment, CancellationToken cancellationToken)
    {
        SegmentState state = segment.State;
        if (state.OffsetIndexCount > 0 || state.SizeInBytes <= _blockBytes || segment.HasLocalFile || segment.Remote is not { } copy || _remote is null)
        {
            return;
        }

        try
        {
            ReadOnlyMemory<byte> index = await _remote.ReadIndexAsync(copy, cancellationToken).ConfigureAwait(false);
            if (SegmentIndexFile.TryRead(index.Span, out OffsetIndexEntry[] offsets, out TimeIndexEntry[] times))
            {
                segment.SetIndexes(offsets, times);
            }
        }
        catch (Exception e) when (e is IOException or Runnel.Grains.BlobStorage.BlobStoreException)
        {
            // Without the index the read scans the segment from its start: slower, still correct.
        }
    }

    /// <summary>Length of the longest prefix of whole batches; <paramref name="firstBatchSize"/> is the first batch's size (0 if unknown).</summary>
    private static int WholeBatches(ReadOnlySpan<byte> data, out int firstBatchSize)
    {
        firstBatchSize = 0;
        int at = 0;
        while (data.Length - at >= RecordBatchHeader.LogOverhead)
        {
            int size = RecordBatchHeader.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(data[(at + RecordBatchHeader.BatchLengthOffset)..]);
            if (at == 0)
            {
                firstBatchSize = size;
            }

            if (size < RecordBatchHeader.Size || size > data.Length - at)
            {
                break;
            }

            at += size;
        }

        return at;
    }

    private sealed class ColdBlock(LogSegment segment, long start)
    {
        private long _end = long.MaxValue;

        public LogSegment Segment { get; } = segment;

        public long Start { get; } = start;

        /// <summary>Position after the block's last whole batch; unknown (max) while loading.</summary>
        public long End
        {
            get => Volatile.Read(ref _end);
            set => Volatile.Write(ref _end, value);
        }

        public bool Loaded => End != long.MaxValue;

        /// <summary><see cref="TimeProvider.GetTimestamp"/> of the last read that used the block (under the reader's lock).</summary>
        public long LastUsed { get; set; }

        public Task<ReadOnlyMemory<byte>> Bytes { get; set; } = Task.FromResult(ReadOnlyMemory<byte>.Empty);
    }
}
