using System.Buffers;
using Runnel.Protocol;

namespace Runnel.Grains.Partitions;

/// <summary>
/// Read access to an active partition from any thread, without a grain turn: Fetch and ListOffsets read the
/// published state of the log (never above the high watermark) while appends run as turns of the grain.
/// </summary>
public interface IPartitionReader
{
    string Topic { get; }

    int Partition { get; }

    long LogStartOffset { get; }

    long HighWatermark { get; }

    /// <summary>The first offset of the earliest open transaction, else the high watermark (read_committed's end).</summary>
    long LastStableOffset { get; }

    /// <summary>
    /// Copies whole batches starting with the one that contains <paramref name="offset"/> into
    /// <paramref name="destination"/>, up to <paramref name="maxBytes"/>; the first batch is copied even when larger
    /// if <paramref name="allowOversizedFirstBatch"/> (KIP-74), so a consumer never stalls on a big batch.
    /// </summary>
    /// <remarks>Blocks the calling thread when the data is not in memory; prefer <see cref="ReadAsync"/>.</remarks>
    FetchRead Read(long offset, int maxBytes, bool allowOversizedFirstBatch, IBufferWriter<byte> destination);

    /// <summary>
    /// <see cref="Read"/> over every tier: memory, the local segment file, or the blob tier below the local start
    /// (ranged reads with read-ahead). Completes synchronously when the batches are in memory. A failing blob tier
    /// answers KAFKA_STORAGE_ERROR (clients retry).
    /// </summary>
    ValueTask<FetchRead> ReadAsync(long offset, int maxBytes, bool allowOversizedFirstBatch, IBufferWriter<byte> destination, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ReadAsync"/> without the copy: adds the batches to <paramref name="slices"/> as slices of the log's
    /// own memory (or of a cold read's buffers). That memory is immutable and stays valid while the slices are held,
    /// so a Fetch answer can write it straight into the socket's pipe.
    /// </summary>
    ValueTask<FetchRead> ReadSlicesAsync(long offset, int maxBytes, bool allowOversizedFirstBatch, List<ReadOnlyMemory<byte>> slices, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ReadSlicesAsync"/> for read_committed: stops at the last stable offset and lists, in the result,
    /// the aborted transactions whose records the answer may hold.
    /// </summary>
    ValueTask<FetchRead> ReadCommittedSlicesAsync(long offset, int maxBytes, bool allowOversizedFirstBatch, List<ReadOnlyMemory<byte>> slices, CancellationToken cancellationToken);

    /// <summary>The first offset whose timestamp is at or after <paramref name="timestamp"/>, for ListOffsets.</summary>
    OffsetLookup OffsetForTimestamp(long timestamp);

    /// <summary>
    /// Completes once every offset up to <paramref name="lastOffset"/> is fsynced, grouping concurrent waiters into
    /// one fsync (acks=-1 with <c>--acks-all-fsync</c>). Call it after the append, outside the grain's turn.
    /// <paramref name="manyPartitions"/>: the caller waits for many partitions at once (one Produce request naming
    /// at least <see cref="Storage.FileSystemSync.ManyLogs"/>), so the silo-wide pass, one syncfs for all, is cheaper.
    /// </summary>
    Task WaitForDurableAsync(long lastOffset, bool manyPartitions);

    /// <summary>Completes when the high watermark moves past <paramref name="knownHighWatermark"/> (long-poll Fetch).</summary>
    Task WaitForAppendAsync(long knownHighWatermark, CancellationToken cancellationToken);
}

public readonly record struct FetchRead(ErrorCode Error, int BytesWritten, long HighWatermark, long LogStartOffset)
{
    /// <summary>Set by read_committed reads; -1 otherwise (the high watermark is then the last stable offset too).</summary>
    public long LastStableOffset { get; init; } = -1;

    /// <summary>Aborted transactions overlapping a read_committed answer; null when there are none.</summary>
    public Producers.AbortedTransaction[]? AbortedTransactions { get; init; }
}

public readonly record struct OffsetLookup(long Offset, long Timestamp);
