using System.Buffers;
using Runnel.Silo.Transport;

namespace Runnel.Silo.Tests.Transport;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Every_block_is_64_KiB_whatever_was_asked()
    {
        using var pool = new LargeBlockMemoryPool();
        using IMemoryOwner<byte> small = pool.Rent(1);
        using IMemoryOwner<byte> any = pool.Rent();
        Assert.Equal(LargeBlockMemoryPool.BlockBytes, small.Memory.Length);
        Assert.Equal(LargeBlockMemoryPool.BlockBytes, any.Memory.Length);
        Assert.Equal(LargeBlockMemoryPool.BlockBytes, pool.MaxBufferSize);
    }

    [Fact]
    public void A_returned_block_is_reused_and_a_second_dispose_does_not_hand_it_out_twice()
    {
        using var pool = new LargeBlockMemoryPool();
        IMemoryOwner<byte> first = pool.Rent();
        first.Memory.Span[0] = 42;
        first.Dispose();
        first.Dispose(); // a buggy double dispose must not put the block in the queue twice

        IMemoryOwner<byte> again = pool.Rent();
        IMemoryOwner<byte> other = pool.Rent();
        Assert.Same(first, again);
        Assert.NotSame(again, other);
        Assert.False(again.Memory.Span.Overlaps(other.Memory.Span));
        again.Dispose();
        other.Dispose();
    }

    [Fact]
    public void Asking_for_more_than_a_block_is_refused_and_a_disposed_pool_rents_nothing()
    {
        var pool = new LargeBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockBytes + 1));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public void At_most_the_retained_number_of_idle_blocks_is_kept()
    {
        using var pool = new LargeBlockMemoryPool();
        var rented = new List<IMemoryOwner<byte>>();
        for (int i = 0; i < LargeBlockMemoryPool.MaxRetainedBlocks + 10; i++)
        {
            rented.Add(pool.Rent());
        }

        foreach (IMemoryOwner<byte> block in rented)
        {
            block.Dispose();
        }

        var reused = new HashSet<IMemoryOwner<byte>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < LargeBlockMemoryPool.MaxRetainedBlocks + 10; i++)
        {
            IMemoryOwner<byte> block = pool.Rent();
            if (rented.Contains(block))
            {
                reused.Add(block);
            }
        }

        Assert.Equal(LargeBlockMemoryPool.MaxRetainedBlocks, reused.Count);
    }
}
