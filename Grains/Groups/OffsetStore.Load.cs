using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Grains.Metadata;
using Runnel.Grains.Partitions;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Groups;

public sealed partial class OffsetStore
{
    private const int ReadChunkBytes = 1 << 20;

    /// <summary>
    /// Creates the offsets topic if missing and replays it into the view (last record per key wins; tombstones
    /// delete). Partitions whose log folder does not exist hold nothing and are not opened.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            if (!_topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? topic))
            {
                var created = await _topics.CreateTopicAsync(OffsetsTopic.Name, _settings.OffsetsTopicPartitions, OffsetsTopic.Configs, validateOnly: false).ConfigureAwait(false);
                if (created.Topic is null && !_topics.TryGetTopic(OffsetsTopic.Name, out _))
                {
                    throw new InvalidOperationException($"Could not create the offsets topic {OffsetsTopic.Name}: {created.Error} {created.Message}");
                }

                LogCreated(_logger, OffsetsTopic.Name, _settings.OffsetsTopicPartitions);
            }
            else
            {
                long records = 0;
                for (int p = 0; p < topic.PartitionCount; p++)
                {
                    if (Directory.Exists(_topics.PartitionPath(topic, p)))
                    {
                        records += await ReplayPartitionAsync(topic, p, cancellationToken).ConfigureAwait(false);
                    }
                }

                LogLoaded(_logger, records, _groups.Count, clock.ElapsedMilliseconds);
            }

            LoadedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _loaded.TrySetResult();
        }
        catch (Exception ex)
        {
            _loaded.TrySetException(ex);
            throw;
        }
    }

    private async Task<long> ReplayPartitionAsync(TopicMetadata topic, int partition, CancellationToken cancellationToken)
    {
        IPartitionReader reader = await _topics.GetReaderAsync(topic, partition, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Partition {partition} of {OffsetsTopic.Name} could not be opened.");
        long next = reader.LogStartOffset;
        long records = 0;
        var buffer = new ArrayBufferWriter<byte>(ReadChunkBytes);
        while (next < reader.HighWatermark)
        {
            buffer.ResetWrittenCount();
            FetchRead read = await reader.ReadAsync(next, ReadChunkBytes, allowOversizedFirstBatch: true, buffer, cancellationToken).ConfigureAwait(false);
            if (read.Error != ErrorCode.None || read.BytesWritten == 0)
            {
                break;
            }

            long before = next;
            records += ReplayBatches(buffer.WrittenSpan, ref next);
            if (next == before)
            {
                break;
            }
        }

        return records;
    }

    private long ReplayBatches(ReadOnlySpan<byte> batches, ref long next)
    {
        long records = 0;
        foreach (RecordBatchEntry batch in new RecordBatchEnumerator(batches))
        {
            RecordBatchHeader header = batch.Header;
            if (header.LastOffset < next)
            {
                continue;
            }

            if (!header.IsControl)
            {
                byte[]? decompressed = header.Compression == CompressionCodec.None ? null : RecordBatchCompression.DecompressRecords(batch.Bytes);
                RecordReader recordReader = decompressed is null ? new RecordReader(batch.Bytes) : new RecordReader(header, decompressed);
                foreach (RecordView record in recordReader)
                {
                    if (record.Offset >= next && !record.IsKeyNull && OffsetRecordCodec.TryDecodeKey(record.Key, out string group, out string topicName, out int partition))
                    {
                        var key = new GroupTopicPartition(topicName, partition);
                        if (record.IsValueNull)
                        {
                            Apply(group, key, null);
                        }
                        else if (OffsetRecordCodec.TryDecodeValue(record.Value, out CommittedOffset offset))
                        {
                            Apply(group, key, offset);
                        }

                        records++;
                    }
                }
            }

            next = header.LastOffset + 1;
        }

        return records;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the offsets topic {Topic} with {Partitions} partitions")]
    private static partial void LogCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Records} offset records of {Groups} groups in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, long records, int groups, long elapsedMs);
}
