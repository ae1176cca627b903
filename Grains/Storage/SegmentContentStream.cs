using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>
/// The bytes of a resident segment read straight from its in-memory chunks, byte for byte what its file holds
/// (every append writes the same bytes to both). Uploading from here instead of the file spares the tiering two
/// full reads of the segment (one for its CRC, one to copy it), which otherwise compete with producers and
/// consumers for the CPU at every roll. Holding the snapshot keeps the chunks alive even if the segment is
/// evicted from memory meanwhile.
/// </summary>
internal sealed class SegmentContentStream : Stream
{
    private readonly SegmentState _state;
    private long _position;

    public SegmentContentStream(SegmentState state)
    {
        if (!state.IsResident)
        {
            throw new ArgumentException("The segment's bytes are not in memory.", nameof(state));
        }

        _state = state;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _state.SizeInBytes;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>CRC-32C of the whole segment, from memory.</summary>
    public static uint ComputeCrc32C(SegmentState state)
    {
        uint crc = 0xFFFFFFFFu;
        for (int i = 0; i < state.ChunkCount; i++)
        {
            crc = Crc32C.Append(crc, UsedPart(state, i));
        }

        return ~crc;
    }

    public override int Read(Span<byte> buffer)
    {
        int copied = 0;
        while (copied < buffer.Length && _position < _state.SizeInBytes)
        {
            int chunk = ChunkAt(_position);
            ReadOnlySpan<byte> used = UsedPart(_state, chunk);
            int from = (int)(_position - _state.Chunks[chunk].StartPosition);
            int count = Math.Min(buffer.Length - copied, used.Length - from);
            used.Slice(from, count).CopyTo(buffer[copied..]);
            copied += count;
            _position += count;
        }

        return copied;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _state.SizeInBytes + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>A chunk holds whole batches up to where the next chunk starts (the rest of its buffer is unused).</summary>
    private static ReadOnlySpan<byte> UsedPart(SegmentState state, int chunk)
    {
        long start = state.Chunks[chunk].StartPosition;
        long end = chunk + 1 < state.ChunkCount ? state.Chunks[chunk + 1].StartPosition : state.SizeInBytes;
        return state.Chunks[chunk].Buffer.AsSpan(0, (int)(end - start));
    }

    private int ChunkAt(long position)
    {
        int low = 0;
        int high = _state.ChunkCount - 1;
        while (low < high)
        {
            int mid = (low + high + 1) >>> 1;
            if (_state.Chunks[mid].StartPosition <= position)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }
}
