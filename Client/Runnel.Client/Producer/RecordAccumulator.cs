using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Runnel.Records;

namespace Runnel.Client.Producer;

/// <summary>
/// Collects records into per-partition batches. Appends take the partition's lock only; the sender walks
/// <see cref="Queues"/> (a copy-on-write array) to find batches that are full, lingered long enough, or flushed.
/// </summary>
internal sealed class RecordAccumulator(int batchSize)
{
    private readonly ConcurrentDictionary<string, PartitionQueue[]> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<RecordBatchBuilder> _builders = [];
    private readonly Lock _gate = new();
    private PartitionQueue[] _queues = [];
    private long _unsent;

    /// <summary>Every partition queue created so far.</summary>
    public PartitionQueue[] Queues => Volatile.Read(ref _queues);

    /// <summary>Batches created and not yet completed.</summary>
    public long Outstanding => Interlocked.Read(ref _unsent);

    public PartitionQueue Queue(string topic, int partition, int partitionCount)
    {
        if (!_topics.TryGetValue(topic, out PartitionQueue[]? queues) || queues.Length <= partition)
        {
            queues = Grow(topic, Math.Max(partitionCount, partition + 1));
        }

        return queues[partition];
    }

    /// <summary>
    /// Appends a record to the partition's open batch (closing it and opening another when it is full).
    /// Returns the batch and the record's index in it; <paramref name="batchFilled"/> tells that a batch was closed.
    /// </summary>
    public (ProducerBatch Batch, int Index) Append(PartitionQueue queue, long timestamp, byte[]? key, byte[]? value,
        ReadOnlySpan<RecordHeaderEntry> headers, int reservedBytes, out bool batchFilled)
    {
        batchFilled = false;
        lock (queue.Gate)
        {
            ProducerBatch? batch = queue.Open;
            if (batch is not null && batch.Builder.UncompressedRecordsSize + reservedBytes > batchSize)
            {
                Close(queue, batch);
                batchFilled = true;
                batch = null;
            }

            if (batch is null)
            {
                batch = new ProducerBatch(queue, RentBuilder(), Stopwatch.GetTimestamp());
                queue.Open = batch;
                Interlocked.Increment(ref _unsent);
            }

            batch.Builder.Add(timestamp, key, value, headers);
            batch.ReservedBytes += reservedBytes;
            int index = batch.RecordCount - 1;
            if (batch.Builder.UncompressedRecordsSize >= batchSize)
            {
                Close(queue, batch);
                batchFilled = true;
            }

            return (batch, index);
        }
    }

    /// <summary>Moves the open batch to the ready list. Caller holds the queue's gate.</summary>
    public static void Close(PartitionQueue queue, ProducerBatch batch)
    {
        batch.IsClosed = true;
        queue.Open = null;
        queue.Ready.AddLast(batch);
    }

    public void BatchCompleted() => Interlocked.Decrement(ref _unsent);

    public void ReturnBuilder(RecordBatchBuilder builder)
    {
        builder.Clear();
        builder.BaseSequence = -1;
        if (_builders.Count < 256)
        {
            _builders.Add(builder);
        }
    }

    private RecordBatchBuilder RentBuilder() =>
        _builders.TryTake(out RecordBatchBuilder? builder) ? builder : new RecordBatchBuilder(CompressionCodec.None);

    private PartitionQueue[] Grow(string topic, int count)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(topic, out PartitionQueue[]? existing) && existing.Length >= count)
            {
                return existing;
            }

            existing ??= [];
            var queues = new PartitionQueue[count];
            Array.Copy(existing, queues, existing.Length);
            var all = new List<PartitionQueue>(_queues);
            for (int i = existing.Length; i < count; i++)
            {
                queues[i] = new PartitionQueue(this, topic, i);
                all.Add(queues[i]);
            }

            _topics[topic] = queues;
            Volatile.Write(ref _queues, [.. all]);
            return queues;
        }
    }
}

/// <summary>Converts public headers to the record encoder's, in a pooled array.</summary>
internal static class HeaderConversion
{
    public static RecordHeaderEntry[]? Rent(IReadOnlyList<Header>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return null;
        }

        RecordHeaderEntry[] entries = ArrayPool<RecordHeaderEntry>.Shared.Rent(headers.Count);
        for (int i = 0; i < headers.Count; i++)
        {
            Header h = headers[i];
            ArgumentNullException.ThrowIfNull(h.Key, nameof(headers));
            entries[i] = new RecordHeaderEntry(h.Key, h.Value);
        }

        return entries;
    }

    public static void Return(RecordHeaderEntry[]? entries)
    {
        if (entries is not null)
        {
            ArrayPool<RecordHeaderEntry>.Shared.Return(entries, clearArray: true);
        }
    }
}
