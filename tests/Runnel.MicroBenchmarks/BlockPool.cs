using System.Buffers;
using System.Collections.Concurrent;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// A pool of 4 KiB blocks that keeps every block returned, like Kestrel's pinned block pool under the socket's pipe.
/// ArrayPool.Shared keeps only a few arrays per size, so a 1 MiB response through a pipe on it would allocate.
/// </summary>
internal sealed class BlockPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;
    private readonly ConcurrentQueue<Block> _blocks = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize));
        }

        return _blocks.TryDequeue(out Block? block) ? block : new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(BlockPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = new byte[BlockSize];

        public Memory<byte> Memory => _array;

        public void Dispose() => pool._blocks.Enqueue(this);
    }
}
