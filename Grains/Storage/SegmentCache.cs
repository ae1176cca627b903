namespace Runnel.Grains.Storage;

/// <summary>
/// The silo-wide memory budget for segment bytes (the hot tier). Active segments are always in memory and always
/// count; sealed segments stay while the total fits and are evicted least-recently-read first when it does not.
/// An evicted segment is still readable: from its local file while local retention keeps it, else from the blob
/// tier (sealed segments lose their file only after the manifest lists them).
/// </summary>
/// <remarks>
/// Appends charge with one interlocked add per batch. Eviction scans the sealed resident segments for the least
/// recent one; it runs on a roll or a tiering tick, not per read, so the scan stays off the hot path.
/// </remarks>
public sealed class SegmentCache
{
    /// <summary>The default budget's share of the machine's memory.</summary>
    public const double DefaultMemoryShare = 0.25;

    /// <summary>The default budget never goes above this (8 GiB): past it the OS page cache does the job better.</summary>
    public const long DefaultMaxBytes = 8L * 1024 * 1024 * 1024;

    /// <summary>The default budget never goes below this (64 MiB).</summary>
    public const long DefaultMinBytes = 64L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly HashSet<LogSegment> _sealed = [];
    private long _residentBytes;
    private long _evictions;

    public SegmentCache(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        BudgetBytes = budgetBytes;
    }

    public long BudgetBytes { get; }

    /// <summary>Segment bytes in memory now: active segments plus sealed ones not yet evicted.</summary>
    public long ResidentBytes => Volatile.Read(ref _residentBytes);

    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>25% of the memory the runtime may use (container limits included), between 64 MiB and 8 GiB.</summary>
    public static long DefaultBudgetBytes()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return Math.Clamp((long)(total * DefaultMemoryShare), DefaultMinBytes, DefaultMaxBytes);
    }

    /// <summary>Evicts sealed segments, least recently read first, until the resident bytes fit the budget.</summary>
    public int EvictIfOverBudget()
    {
        int evicted = 0;
        while (ResidentBytes > BudgetBytes)
        {
            LogSegment? victim = null;
            lock (_lock)
            {
                foreach (LogSegment candidate in _sealed)
                {
                    if (victim is null || candidate.LastReadTicks < victim.LastReadTicks)
                    {
                        victim = candidate;
                    }
                }

                if (victim is not null)
                {
                    _sealed.Remove(victim);
                }
            }

            if (victim is null)
            {
                break; // only active segments left: they always stay
            }

            if (victim.Evict())
            {
                evicted++;
                Interlocked.Increment(ref _evictions);
            }
        }

        return evicted;
    }

    internal void Charge(long bytes) => Interlocked.Add(ref _residentBytes, bytes);

    internal void Release(long bytes) => Interlocked.Add(ref _residentBytes, -bytes);

    /// <summary>A segment was sealed with its bytes in memory: it becomes evictable.</summary>
    internal void Admit(LogSegment segment)
    {
        if (!segment.IsResident || segment.SizeInBytes == 0)
        {
            return;
        }

        segment.Touch();
        lock (_lock)
        {
            _sealed.Add(segment);
        }

        EvictIfOverBudget();
    }

    internal void Forget(LogSegment segment)
    {
        lock (_lock)
        {
            _sealed.Remove(segment);
        }
    }
}
