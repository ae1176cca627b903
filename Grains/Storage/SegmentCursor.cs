using System.Buffers.Binary;
using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>
/// Walks the batches of one published <see cref="SegmentState"/> without allocating. The writer validated
/// every batch before publishing it, so the cursor trusts the length and offset fields it reads.
/// </summary>
internal struct SegmentCursor
{
    private readonly SegmentState _state;
    private int _chunk;
    private long _position;

    public SegmentCursor(SegmentState state, long position)
    {
        _state = state;
        _position = position;
        _chunk = state.FindChunk(position);
    }

    public readonly bool HasBatch => _position < _state.SizeInBytes;

    /// <summary>The chunk holding the current batch; consecutive batches in one chunk are contiguous.</summary>
    public readonly LogChunk Chunk => _state.Chunks[_chunk];

    public readonly int PositionInChunk => (int)(_position - Chunk.StartPosition);

    public readonly ReadOnlySpan<byte> Header => Chunk.Buffer.AsSpan(PositionInChunk, RecordBatchHeader.Size);

    public readonly int BatchSize =>
        RecordBatchHeader.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(Header[RecordBatchHeader.BatchLengthOffset..]);

    public readonly long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(Header);

    public readonly long LastOffset =>
        BaseOffset + BinaryPrimitives.ReadInt32BigEndian(Header[RecordBatchHeader.LastOffsetDeltaOffset..]);

    public readonly long MaxTimestamp => BinaryPrimitives.ReadInt64BigEndian(Header[RecordBatchHeader.MaxTimestampOffset..]);

    public readonly ReadOnlyMemory<byte> Batch => Chunk.Buffer.AsMemory(PositionInChunk, BatchSize);

    public void MoveNext()
    {
        _position += BatchSize;

        // A chunk may end before its buffer does (the next batch did not fit), so the next batch lives in the
        // chunk that starts exactly at the new position.
        while (_chunk + 1 < _state.ChunkCount && _state.Chunks[_chunk + 1].StartPosition <= _position)
        {
            _chunk++;
        }
    }

    /// <summary>Moves to the batch containing <paramref name="offset"/>; false when the segment ends first.</summary>
    public bool SeekToOffset(long offset)
    {
        while (HasBatch)
        {
            if (LastOffset >= offset)
            {
                return true;
            }

            MoveNext();
        }

        return false;
    }
}
