using System.Runtime.CompilerServices;
using Runnel.Client.Compression;
using Runnel.Client.Serialization;
using Runnel.Records;

namespace Runnel.Client.Consumer;

/// <summary>
/// Turns the record batches of one fetched partition into <see cref="ConsumeResult{TKey, TValue}"/>s: checks CRCs,
/// decompresses (gzip, snappy, lz4, zstd), skips control batches and records before the fetch offset (a compressed batch is
/// returned whole), and deserializes. A trailing partial batch (the broker cuts at max bytes) is left for the next fetch.
/// </summary>
internal sealed class RecordDecoder<TKey, TValue>(IDeserializer<TKey> keys, IDeserializer<TValue> values, ConsumerOptions options)
{
    /// <summary>Decodes <paramref name="records"/>; returns the next offset to fetch.</summary>
    public long Decode(string topic, int partition, ReadOnlyMemory<byte> records, long fetchOffset, List<ConsumeResult<TKey, TValue>> output)
    {
        long next = fetchOffset;
        var batches = new RecordBatchEnumerator(records.Span);
        while (batches.MoveNext())
        {
            RecordBatchEntry entry = batches.Current;
            RecordBatchHeader header = entry.Header;
            if (header.LastOffset < fetchOffset)
            {
                continue;
            }

            if (options.CheckCrcs && !RecordBatchHeader.HasValidCrc(entry.Bytes))
            {
                ThrowCorrupt(topic, partition, header.BaseOffset);
            }

            if (!header.IsControl)
            {
                int before = output.Count;
                try
                {
                    AddRecords(topic, partition, records.Slice(entry.Offset, header.TotalSize), header, fetchOffset, output);
                }
                catch (KafkaException) when (before > 0)
                {
                    // Hand out the records before the unreadable batch; the next fetch starts at it and reports it.
                    output.RemoveRange(before, output.Count - before);
                    return next;
                }
            }

            next = Math.Max(next, header.LastOffset + 1);
        }

        return next;
    }

    /// <summary>
    /// Decompresses (into a pooled buffer, returned once the deserializers have copied what they keep) and reads one
    /// batch. A batch that passed its CRC but cannot be decompressed or read will not get better by fetching it
    /// again, so that failure is not retriable: the application sees it from ConsumeAsync and may seek past the
    /// batch, as with the Java consumer.
    /// </summary>
    private void AddRecords(string topic, int partition, ReadOnlyMemory<byte> batch, in RecordBatchHeader header, long fetchOffset, List<ConsumeResult<TKey, TValue>> output)
    {
        var keyContext = new SerializationContext(topic, MessageComponent.Key);
        var valueContext = new SerializationContext(topic, MessageComponent.Value);
        bool logAppendTime = header.IsLogAppendTime;
        try
        {
            ReadOnlyMemory<byte> payload = BatchCodec.Records(batch, header, options.MaxDecompressedBatchBytes, out PooledByteBuffer? decompressed);
            using PooledByteBuffer? owner = decompressed;
            foreach (RecordView record in new RecordReader(header, payload.Span))
            {
                if (record.Offset < fetchOffset)
                {
                    continue;
                }

                output.Add(new ConsumeResult<TKey, TValue>
                {
                    Topic = topic,
                    Partition = partition,
                    Offset = record.Offset,
                    Key = keys.Deserialize(record.Key, record.IsKeyNull, keyContext),
                    Value = values.Deserialize(record.Value, record.IsValueNull, valueContext),
                    Timestamp = logAppendTime ? header.MaxTimestamp : record.Timestamp,
                    TimestampType = logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
                    Headers = record.HeaderCount == 0 ? [] : ReadHeaders(record),
                    LeaderEpoch = header.PartitionLeaderEpoch,
                });
            }
        }
        catch (InvalidDataException e)
        {
            throw new KafkaException(Protocol.ErrorCode.InvalidRecord,
                $"The {header.Compression} batch at {topic}[{partition}]@{header.BaseOffset} cannot be read: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new KafkaException(Protocol.ErrorCode.UnsupportedCompressionType,
                $"The batch at {topic}[{partition}]@{header.BaseOffset} has an unknown codec: {e.Message}", e);
        }
    }

    private static Header[] ReadHeaders(RecordView record)
    {
        var headers = new Header[record.HeaderCount];
        int i = 0;
        foreach (RecordHeader h in record.Headers)
        {
            headers[i++] = new Header(h.KeyString, h.IsValueNull ? null : h.Value.ToArray());
        }

        return headers;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCorrupt(string topic, int partition, long offset) =>
        throw new KafkaException(Protocol.ErrorCode.CorruptMessage, $"The batch at {topic}[{partition}]@{offset} fails its CRC-32C check.");
}
