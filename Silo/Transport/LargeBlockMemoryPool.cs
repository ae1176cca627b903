using System.Buffers;
using System.Collections.Concurrent;

namespace Runnel.Silo.Transport;

/// <summary>
/// The memory Kestrel's socket transport reads into and writes from, in pinned 64 KiB blocks instead of its
/// default 4 KiB ones. Kafka traffic comes in large frames (a produce request is commonly 16 KiB-1 MiB): with
/// 4 KiB blocks every receive is a 4 KiB <c>recv(2)</c> and every frame spans dozens of pipe segments; with 64 KiB
/// blocks a receive takes up to 64 KiB at once and most frames are one or two segments.
/// </summary>
/// <remarks>
/// Blocks are pinned (the socket does I/O straight into them) and returned on dispose for reuse; the pool keeps at
/// most <see cref="MaxRetainedBlocks"/> idle blocks (16 MiB) and lets the GC have the rest, so a burst of
/// connections does not pin memory forever. Idle connections hold no block: Kestrel waits for data before it
/// asks for memory.
/// </remarks>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockBytes = 64 * 1024;

    public const int MaxRetainedBlocks = 256;

    private readonly ConcurrentQueue<Block> _idle = new();
    private int _idleCount;
    private bool _disposed;

    public override int MaxBufferSize => BlockBytes;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (minBufferSize > BlockBytes)
        {
            ThrowTooLarge(minBufferSize);
        }

        if (_idle.TryDequeue(out Block? block))
        {
            Interlocked.Decrement(ref _idleCount);
            block.Lease();
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _idle.Clear();
    }

    private void Return(Block block)
    {
        if (!_disposed && Interlocked.Increment(ref _idleCount) <= MaxRetainedBlocks)
        {
            _idle.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }

    private static void ThrowTooLarge(int size) =>
        throw new ArgumentOutOfRangeException(nameof(size), size, $"Blocks are {BlockBytes} bytes.");

    /// <summary>One pinned block; it is its own owner so renting allocates nothing once the pool is warm.</summary>
    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly LargeBlockMemoryPool _pool;
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
        private int _leased = 1;

        public Block(LargeBlockMemoryPool pool) => _pool = pool;

        public Memory<byte> Memory => _array;

        public void Lease() => Volatile.Write(ref _leased, 1);

        public void Dispose()
        {
            // Only the first dispose of a lease returns the block: a second would hand it to two renters at once.
            if (Interlocked.Exchange(ref _leased, 0) == 1)
            {
                _pool.Return(this);
            }
        }
    }
}
