using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Runnel.Grains.Producers;
using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>
/// One segment of a partition log: the file <c>{baseOffset:D20}.log</c> holding stored batches back to back, its
/// bytes in memory as <see cref="LogChunk"/>s, and sparse offset and time indexes. Only the log's single writer
/// calls the mutating methods; readers see <see cref="State"/>, an immutable snapshot. Once sealed, a segment
/// never changes: it is the unit the tiered log uploads, evicts from memory and drops locally (see LogSegment.Tiering).
/// </summary>
internal sealed partial class LogSegment : IDisposable
{
    private const string Extension = ".log";

    private readonly LogOptions _options;
    private SafeFileHandle? _file;
    private SegmentState _published = SegmentState.Empty;
    private bool _unflushed;
    private long _writebackStart;

    // Writer-private builder state; readers only ever see it through a published SegmentState.
    private LogChunk[] _chunks = [];
    private int _chunkCount;
    private int _lastChunkUsed;
    private OffsetIndexEntry[] _offsetIndex = [];
    private int _offsetIndexCount;
    private long _bytesSinceOffsetEntry;
    private TimeIndexEntry[] _timeIndex = [];
    private int _timeIndexCount;
    private long _bytesSinceTimeEntry;
    private long _nextOffset;
    private long _size;
    private long _maxTimestamp = -1;
    private long _offsetOfMaxTimestamp = -1;

    private LogSegment(string path, long baseOffset, LogOptions options, SafeFileHandle? file)
    {
        FilePath = path;
        BaseOffset = baseOffset;
        _options = options;
        _file = file;
        _nextOffset = baseOffset;
        Publish();
    }

    public long BaseOffset { get; }

    public string FilePath { get; }

    public bool IsSealed => _file is null;

    /// <summary>When the segment got its first batch (log clock, ms), -1 while empty; drives segment.ms.</summary>
    public long FirstAppendMs { get; private set; } = -1;

    /// <summary>When the segment last got a batch (log clock, ms); retention falls back to it without timestamps.</summary>
    public long LastAppendMs { get; private set; }

    /// <summary>The latest published snapshot; safe to read from any thread.</summary>
    public SegmentState State => Volatile.Read(ref _published);

    /// <summary>Writer view of the size, including batches not yet published.</summary>
    public long SizeInBytes => _size;

    public long NextOffset => _nextOffset;

    public static string FileNameFor(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    /// <summary>Parses a segment file name; anything else in the folder is not a segment.</summary>
    public static bool TryParseFileName(string fileName, out long baseOffset)
    {
        baseOffset = -1;
        return fileName.Length == 20 + Extension.Length
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    public static LogSegment Create(string directory, long baseOffset, LogOptions options, long nowMs, SegmentCache? cache = null)
    {
        string path = Path.Combine(directory, FileNameFor(baseOffset));
        SafeFileHandle file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        return new LogSegment(path, baseOffset, options, file) { LastAppendMs = nowMs, _cache = cache };
    }

    /// <summary>Whether the next batch of <paramref name="batchSize"/> bytes belongs in a new segment (segment.bytes, segment.ms).</summary>
    public bool ShouldRoll(int batchSize, long nowMs, LogOptions options) =>
        _size > 0 && (_size + batchSize > options.SegmentBytes || nowMs - FirstAppendMs >= options.SegmentMs);

    /// <summary>
    /// Copies one batch into memory, stamps its offset and leader epoch, and writes it to the file (one write
    /// syscall, so the OS has it before the caller acknowledges). Not visible to readers until <see cref="Publish"/>.
    /// If the write throws, nothing of the batch is counted and the next append reuses the space.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batch, long baseOffset, int leaderEpoch, long nowMs)
    {
        SafeFileHandle file = _file ?? throw new InvalidOperationException("The segment is sealed.");
        Span<byte> target = Reserve(batch.Length, out int positionInChunk);
        batch.CopyTo(target);
        RecordBatchHeader.AssignOffset(target, baseOffset, leaderEpoch);
        RandomAccess.Write(file, target, _size);
        _unflushed = true;
        if (_options.WritebackBytes > 0 && _size + batch.Length - _writebackStart >= _options.WritebackBytes)
        {
            WritebackHint.Start(file, _writebackStart, _size + batch.Length - _writebackStart);
            _writebackStart = _size + batch.Length;
        }

        Register(target, _size);
        _lastChunkUsed = positionInChunk + batch.Length;
        Charge(batch.Length);
        if (FirstAppendMs < 0)
        {
            FirstAppendMs = nowMs;
        }

        LastAppendMs = nowMs;
    }

    /// <summary>Makes everything appended so far visible to readers.</summary>
    public void Publish() => Volatile.Write(ref _published, new SegmentState(
        _chunks, _chunkCount, _offsetIndex, _offsetIndexCount, _timeIndex, _timeIndexCount,
        _nextOffset, _size, _maxTimestamp, _offsetOfMaxTimestamp));

    /// <summary>fsync of the file if anything was written since the last one.</summary>
    public void Flush()
    {
        if (_file is not null && _unflushed)
        {
            RandomAccess.FlushToDisk(_file);
            _unflushed = false;
        }
    }

    /// <summary>
    /// The open file of the active segment, for an fsync outside the log's write lock (group commit). The handle's
    /// own reference counting keeps it open for the duration of that call even if the segment is sealed meanwhile;
    /// a call after it was closed fails with ObjectDisposedException, and Seal fsyncs before it closes.
    /// </summary>
    internal SafeFileHandle? FileForSync => _file;

    /// <summary>Ends appends: the file is made durable and closed, the memory stays as it is.</summary>
    public void Seal()
    {
        // Always fsync here, even if a flush cleared the flag: a group-commit sync running outside the lock may
        // still count on this one to cover what it could not.
        _unflushed = _file is not null;
        Flush();
        _file?.Dispose();
        _file = null;
    }

    public void Delete()
    {
        _file?.Dispose();
        _file = null;
        LeaveCache();
        File.Delete(FilePath);
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        LeaveCache();
    }

    /// <summary>Adds a batch already in memory at <paramref name="position"/> to the indexes and counters.</summary>
    private void Register(ReadOnlySpan<byte> batch, long position)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        if (_offsetIndexCount == 0 || _bytesSinceOffsetEntry >= _options.IndexIntervalBytes)
        {
            Grow(ref _offsetIndex, _offsetIndexCount);
            _offsetIndex[_offsetIndexCount++] = new OffsetIndexEntry(header.BaseOffset, position);
            _bytesSinceOffsetEntry = 0;
        }

        if (_bytesSinceTimeEntry >= _options.IndexIntervalBytes
            && (_timeIndexCount == 0 || _timeIndex[_timeIndexCount - 1].MaxTimestampBefore < _maxTimestamp))
        {
            Grow(ref _timeIndex, _timeIndexCount);
            _timeIndex[_timeIndexCount++] = new TimeIndexEntry(_maxTimestamp, position);
            _bytesSinceTimeEntry = 0;
        }

        _bytesSinceOffsetEntry += batch.Length;
        _bytesSinceTimeEntry += batch.Length;
        if (header.MaxTimestamp > _maxTimestamp)
        {
            _maxTimestamp = header.MaxTimestamp;
            _offsetOfMaxTimestamp = header.BaseOffset;
        }

        _size = position + batch.Length;
        _nextOffset = header.LastOffset + 1;
    }

    private Span<byte> Reserve(int length, out int positionInChunk)
    {
        if (_chunkCount == 0 || _chunks[_chunkCount - 1].Buffer.Length - _lastChunkUsed < length)
        {
            int previous = _chunkCount == 0 ? _options.InitialChunkBytes / 2 : _chunks[_chunkCount - 1].Buffer.Length;
            int capacity = Math.Max(length, Math.Clamp(previous * 2, _options.InitialChunkBytes, _options.MaxChunkBytes));
            AddChunk(new LogChunk(ChunkMemory.Allocate(capacity), _size));
            _lastChunkUsed = 0;
        }

        positionInChunk = _lastChunkUsed;
        return _chunks[_chunkCount - 1].Buffer.AsSpan(positionInChunk, length);
    }

    private void AddChunk(LogChunk chunk)
    {
        Grow(ref _chunks, _chunkCount);
        _chunks[_chunkCount++] = chunk;
    }

    /// <summary>Copies into a bigger array when full; published snapshots keep the old array, which stays valid.</summary>
    private static void Grow<T>(ref T[] array, int count)
    {
        if (count == array.Length)
        {
            var bigger = new T[Math.Max(4, array.Length * 2)];
            Array.Copy(array, bigger, count);
            array = bigger;
        }
    }
}
