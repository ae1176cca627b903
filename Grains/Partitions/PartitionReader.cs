using System.Buffers;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;
using Runnel.Protocol;

namespace Runnel.Grains.Partitions;

/// <summary>Reads of one open partition log from any thread; see <see cref="IPartitionReader"/>.</summary>
internal sealed class PartitionReader : IPartitionReader
{
    private readonly PartitionLog _log;
    private readonly AppendSignal _signal;

    public PartitionReader(string topic, int partition, PartitionLog log, AppendSignal signal, FileSystemSync? sync = null)
    {
        Topic = topic;
        Partition = partition;
        _log = log;
        _signal = signal;
        GroupCommit = new GroupCommit(log, sync);
    }

    public string Topic { get; }

    public int Partition { get; }

    public long LogStartOffset => _log.LogStartOffset;

    public long HighWatermark => _log.HighWatermark;

    public long LastStableOffset => _log.LastStableOffset;

    public FetchRead Read(long offset, int maxBytes, bool allowOversizedFirstBatch, IBufferWriter<byte> destination)
    {
        LogReadResult read = _log.Read(offset, maxBytes, allowOversizedFirstBatch);
        read.CopyTo(destination);
        return new FetchRead(read.Error, read.SizeInBytes, read.HighWatermark, read.LogStartOffset);
    }

    public async ValueTask<FetchRead> ReadAsync(long offset, int maxBytes, bool allowOversizedFirstBatch, IBufferWriter<byte> destination, CancellationToken cancellationToken)
    {
        ValueTask<LogReadResult?> pending = ReadLogAsync(offset, maxBytes, allowOversizedFirstBatch, cancellationToken);
        if ((pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false)) is not { } read)
        {
            return StorageError();
        }

        read.CopyTo(destination);
        return new FetchRead(read.Error, read.SizeInBytes, read.HighWatermark, read.LogStartOffset);
    }

    public async ValueTask<FetchRead> ReadSlicesAsync(long offset, int maxBytes, bool allowOversizedFirstBatch, List<ReadOnlyMemory<byte>> slices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slices);
        ValueTask<LogReadResult?> pending = ReadLogAsync(offset, maxBytes, allowOversizedFirstBatch, cancellationToken);
        if ((pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false)) is not { } read)
        {
            return StorageError();
        }

        for (int i = 0; i < read.Slices.Count; i++)
        {
            slices.Add(read.Slices[i]);
        }

        return new FetchRead(read.Error, read.SizeInBytes, read.HighWatermark, read.LogStartOffset);
    }

    public async ValueTask<FetchRead> ReadCommittedSlicesAsync(long offset, int maxBytes, bool allowOversizedFirstBatch, List<ReadOnlyMemory<byte>> slices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slices);
        CommittedRead committed;
        try
        {
            committed = await _log.ReadCommittedAsync(offset, maxBytes, allowOversizedFirstBatch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or BlobStoreException)
        {
            return StorageError();
        }

        LogReadResult read = committed.Read;
        for (int i = 0; i < read.Slices.Count; i++)
        {
            slices.Add(read.Slices[i]);
        }

        return new FetchRead(read.Error, read.SizeInBytes, read.HighWatermark, read.LogStartOffset)
        {
            LastStableOffset = committed.LastStableOffset,
            AbortedTransactions = committed.AbortedTransactions,
        };
    }

    public OffsetLookup OffsetForTimestamp(long timestamp)
    {
        TimestampOffset found = _log.OffsetForTimestamp(timestamp);
        return new OffsetLookup(found.Offset, found.Timestamp);
    }

    public GroupCommit GroupCommit { get; }

    public Task WaitForDurableAsync(long lastOffset, bool manyPartitions) => GroupCommit.WaitDurableAsync(lastOffset, manyPartitions);

    public Task WaitForAppendAsync(long knownHighWatermark, CancellationToken cancellationToken)
    {
        // Take the task before re-checking so an append between the check and the wait cannot be missed.
        Task next = _signal.NextAppend;
        return _log.HighWatermark > knownHighWatermark ? Task.CompletedTask : next.WaitAsync(cancellationToken);
    }

    /// <summary>The log's read over every tier; null when the storage under it failed (answered KAFKA_STORAGE_ERROR).</summary>
    private async ValueTask<LogReadResult?> ReadLogAsync(long offset, int maxBytes, bool allowOversizedFirstBatch, CancellationToken cancellationToken)
    {
        try
        {
            ValueTask<LogReadResult> pending = _log.ReadAsync(offset, maxBytes, allowOversizedFirstBatch, cancellationToken);
            return pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or BlobStoreException)
        {
            return null;
        }
    }

    private FetchRead StorageError() => new(ErrorCode.KafkaStorageError, 0, _log.HighWatermark, _log.LogStartOffset);
}
