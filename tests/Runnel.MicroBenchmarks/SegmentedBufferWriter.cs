using System.Buffers;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool that never copies to grow. The silo's
/// Fetch used to read every partition's batches into one of these before writing the response into the pipe; it
/// now passes the log's own slices, and this stays here as the benchmark's baseline.
/// </summary>
public sealed class SegmentedBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MaxSegmentBytes = 1024 * 1024;

    private readonly int _firstSegmentBytes;
    private byte[]?[] _segments = new byte[]?[4];
    private int[] _lengths = new int[4];
    private int _count;
    private long _written;

    public SegmentedBufferWriter(int firstSegmentBytes = 16 * 1024) => _firstSegmentBytes = Math.Max(firstSegmentBytes, 256);

    /// <summary>Bytes written so far, over all segments.</summary>
    public long WrittenCount => _written;

    public void Advance(int count)
    {
        if (count < 0 || _count == 0 || _lengths[_count - 1] + count > _segments[_count - 1]!.Length)
        {
            ThrowAdvancedTooFar();
        }

        _lengths[_count - 1] += count;
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        byte[] segment = Current(sizeHint);
        return segment.AsMemory(_lengths[_count - 1]);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        byte[] segment = Current(sizeHint);
        return segment.AsSpan(_lengths[_count - 1]);
    }

    /// <summary>
    /// Adds the memory of bytes [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) to
    /// <paramref name="destination"/>, one entry per segment the range touches (usually one).
    /// </summary>
    public void AddRange(long start, long length, List<ReadOnlyMemory<byte>> destination)
    {
        long position = 0;
        for (int i = 0; i < _count && length > 0; i++)
        {
            int segmentLength = _lengths[i];
            if (start < position + segmentLength)
            {
                int from = (int)(start - position);
                int take = (int)Math.Min(segmentLength - from, length);
                destination.Add(_segments[i].AsMemory(from, take));
                start += take;
                length -= take;
            }

            position += segmentLength;
        }
    }

    private byte[] Current(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_count > 0 && _segments[_count - 1]!.Length - _lengths[_count - 1] >= needed)
        {
            return _segments[_count - 1]!;
        }

        return AddSegment(needed);
    }

    private byte[] AddSegment(int needed)
    {
        int size = _count == 0 ? _firstSegmentBytes : Math.Min(_segments[_count - 1]!.Length * 2, MaxSegmentBytes);
        byte[] segment = ArrayPool<byte>.Shared.Rent(Math.Max(size, needed));
        if (_count == _segments.Length)
        {
            Array.Resize(ref _segments, _count * 2);
            Array.Resize(ref _lengths, _count * 2);
        }

        _segments[_count] = segment;
        _lengths[_count] = 0;
        _count++;
        return segment;
    }

    public void Dispose()
    {
        for (int i = 0; i < _count; i++)
        {
            ArrayPool<byte>.Shared.Return(_segments[i]!);
            _segments[i] = null;
        }

        _count = 0;
        _written = 0;
    }

    private static void ThrowAdvancedTooFar() => throw new InvalidOperationException("Advanced past the end of the span handed out.");
}
