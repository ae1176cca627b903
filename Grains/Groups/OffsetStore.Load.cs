using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Grains.Metadata;
using Runnel.Grains.Partitions;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Groups;

public sealed partial class OffsetStore
{
    /// <summary>
    /// Creates the offsets topic if missing and replays it into the view (last record per key wins; tombstones
    /// delete). One silo replays every partition with a log folder; in a cluster each silo replays the partitions it
    /// leads, since it coordinates exactly the groups whose offsets go there.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var clock = Stopwatch.StartNew();

            // A cluster creates the topic when the first group needs a coordinator (as Kafka does), by which time
            // the silos started together are all up and its partitions spread over them.
            TopicMetadata? topic = _cluster.IsClustered
                ? (_topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? existing) ? existing : null)
                : await EnsureTopicAsync(cancellationToken).ConfigureAwait(false);
            long records = 0;
            for (int p = 0; p < (topic?.PartitionCount ?? 0); p++)
            {
                bool load = _cluster.IsClustered ? _cluster.LeadsLocally(topic!, p) : Directory.Exists(_topics.PartitionPath(topic!, p));
                if (load)
                {
                    records += await LoadPartitionAsync(p, cancellationToken).ConfigureAwait(false);
                }
            }

            LogLoaded(_logger, records, _groups.Count, clock.ElapsedMilliseconds);
            LoadedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _loaded.TrySetResult();
        }
        catch (Exception ex)
        {
            _loaded.TrySetException(ex);
            throw;
        }
    }

    /// <summary>The offsets topic, created with the configured partition count if it does not exist yet.</summary>
    public async Task<TopicMetadata> EnsureTopicAsync(CancellationToken cancellationToken)
    {
        if (_topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? topic))
        {
            return topic;
        }

        var created = await _topics.CreateTopicAsync(OffsetsTopic.Name, _settings.OffsetsTopicPartitions, OffsetsTopic.Configs, validateOnly: false).ConfigureAwait(false);
        if (!_topics.TryGetTopic(OffsetsTopic.Name, out topic))
        {
            throw new InvalidOperationException($"Could not create the offsets topic {OffsetsTopic.Name}: {created.Error} {created.Message}");
        }

        if (created.Topic is not null)
        {
            LogCreated(_logger, OffsetsTopic.Name, _settings.OffsetsTopicPartitions);
        }

        return topic;
    }

    /// <summary>
    /// Completes once the partition <paramref name="partition"/> of the offsets topic is in the view: at once on one
    /// silo after the start-up load; in a cluster, after this silo replayed it (the first call starts the replay).
    /// </summary>
    public Task EnsureLoadedAsync(int partition, CancellationToken cancellationToken)
    {
        if (!_cluster.IsClustered)
        {
            return WhenLoaded;
        }

        Task<long> load = _partitionLoads.GetOrAdd(partition, p => ReplayOffsetsPartitionAsync(p, CancellationToken.None));
        if (load.IsFaulted || load.IsCanceled)
        {
            _partitionLoads.TryRemove(new KeyValuePair<int, Task<long>>(partition, load));
        }

        return load.WaitAsync(cancellationToken);
    }

    /// <summary>The partition moved to another silo: drop its groups from this view, so a later return replays it afresh.</summary>
    public void Forget(int partition)
    {
        if (!_partitionLoads.TryRemove(partition, out _) || !_topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? topic))
        {
            return;
        }

        foreach (string group in _groups.Keys)
        {
            if (OffsetsTopic.PartitionFor(group, topic.PartitionCount) == partition)
            {
                _groups.TryRemove(group, out _);
            }
        }
    }

    private async Task<long> LoadPartitionAsync(int partition, CancellationToken cancellationToken)
    {
        if (!_cluster.IsClustered)
        {
            return await ReplayOffsetsPartitionAsync(partition, cancellationToken).ConfigureAwait(false);
        }

        await EnsureLoadedAsync(partition, cancellationToken).ConfigureAwait(false);
        return _partitionLoads.TryGetValue(partition, out Task<long>? done) && done.IsCompletedSuccessfully ? done.Result : 0;
    }

    private async Task<long> ReplayOffsetsPartitionAsync(int partition, CancellationToken cancellationToken)
    {
        if (!_topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? topic))
        {
            throw new InvalidOperationException($"The offsets topic {OffsetsTopic.Name} does not exist.");
        }

        return await ReplayPartitionAsync(topic, partition, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> ReplayPartitionAsync(TopicMetadata topic, int partition, CancellationToken cancellationToken)
    {
        IPartitionReader reader = await _topics.GetReaderAsync(topic, partition, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Partition {partition} of {OffsetsTopic.Name} could not be opened.");
        return await LogReplay.ReplayAsync(reader, ReplayBatches, cancellationToken).ConfigureAwait(false);
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
