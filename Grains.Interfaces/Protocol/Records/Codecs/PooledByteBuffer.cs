using System.Buffers;

namespace Runnel.Records;

/// <summary>
/// A growable byte buffer in arrays rented from <see cref="ArrayPool{T}.Shared"/>: what the codecs write compressed and
/// decompressed records into, so compressing or reading a batch rents instead of allocating a new large array.
/// <para>
/// Optionally bounded by <see cref="Limit"/>: decompression stops a bomb by writing into a bounded buffer, which never
/// grows past <c>Limit + 1</c> bytes (one byte past the limit is enough to notice) and throws
/// <see cref="InvalidDataException"/> as soon as more than <see cref="Limit"/> bytes are written. Near the limit,
/// <see cref="GetSpan"/> may therefore return fewer bytes than asked for (never none).
/// </para>
/// Not thread-safe. <see cref="Dispose"/> returns the array: the written bytes must not be used after that.
/// </summary>
public sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    private const int MinimumGrowth = 4096;
    private byte[] _array;
    private int _written;

    /// <param name="initialCapacity">Bytes to rent at once (0 rents on the first write); capped at <c>limit + 1</c>.</param>
    /// <param name="limit">Most bytes that may be written; <see cref="int.MaxValue"/> for no bound.</param>
    public PooledByteBuffer(int initialCapacity = 0, int limit = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
        int capacity = (int)Math.Min(initialCapacity, MaxCapacity);
        _array = capacity == 0 ? [] : ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>Most bytes that may be written before <see cref="Advance"/> throws <see cref="InvalidDataException"/>.</summary>
    public int Limit { get; }

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

    /// <summary>The written bytes, writable: for fields known only after what follows them is written (a batch's length and CRC).</summary>
    internal Span<byte> WrittenSpanToPatch => _array.AsSpan(0, _written);

    private long MaxCapacity => Limit >= Array.MaxLength ? Array.MaxLength : (long)Limit + 1;

    /// <exception cref="InvalidDataException">More than <see cref="Limit"/> bytes would be written.</exception>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity - _written);
        if (_written + count > Limit)
        {
            throw new InvalidDataException($"The data is larger than the limit of {Limit} bytes.");
        }

        _written += count;
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsSpan(_written, Capacity - _written);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsMemory(_written, Capacity - _written);
    }

    /// <summary>Bytes that may be written before the buffer grows: never more than <c>Limit + 1</c>, whatever the pool handed out.</summary>
    internal int Capacity => (int)Math.Min(_array.Length, MaxCapacity);

    /// <summary>Forgets the written bytes and keeps the array for reuse.</summary>
    public void Clear() => _written = 0;

    public void Dispose()
    {
        byte[] array = _array;
        _array = [];
        _written = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Reserve(int sizeHint)
    {
        int wanted = Math.Max(sizeHint, 1);
        int capacity = Capacity;
        if (capacity - _written >= wanted)
        {
            return;
        }

        // Double (or take what is asked for, if more), but never beyond one byte past the limit.
        long target = Math.Max((long)_written + wanted, Math.Max((long)capacity * 2, MinimumGrowth));
        target = Math.Min(target, MaxCapacity);
        if (target <= capacity)
        {
            if (_written < capacity)
            {
                return; // at the cap: what is left is all there is
            }

            throw new InvalidOperationException("The buffer is at its largest possible size.");
        }

        byte[] grown = ArrayPool<byte>.Shared.Rent((int)target);
        WrittenSpan.CopyTo(grown);
        byte[] old = _array;
        _array = grown;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }
}
