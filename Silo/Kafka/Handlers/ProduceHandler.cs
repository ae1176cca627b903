using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Storage;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Records;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// Produce: validates each partition's batches here, off the partition's turn (CRC-32C, framing), then appends
/// them through the partition grain, which assigns offsets and checks idempotent sequences. A topic whose
/// compression.type names a codec gets batches of another codec rebuilt with it first (<see cref="ProduceRecompression"/>). acks=0 gets no
/// response at all, as clients expect. acks=-1 is answered once the batch is fsynced (group commit, shared with
/// every append made meanwhile) unless <c>--acks-all-fsync false</c>; acks=1 once the OS has the write.
/// Transactional batches are checked by the partition grain: accepted only from a producer whose transaction the
/// coordinator added the partition to, at that transaction's epoch.
/// </summary>
public sealed class ProduceHandler : KafkaApiHandler<ProduceRequest, ProduceResponse>
{
    private readonly TopicService _topics;
    private readonly bool _acksAllWaitsForDisk;
    private readonly ClusterView _cluster;

    public ProduceHandler(TopicService topics, ClusterView cluster, IOptions<BrokerOptions> broker)
    {
        _cluster = cluster;
        _topics = topics;
        _acksAllWaitsForDisk = broker.Value.AcksAllFsync;
    }

    public override ApiKey Key => ApiKey.Produce;

    // v3 is the first version carrying record batch v2 (librdkafka 2.0.2 needs it in the range to use batches at
    // all), but v0 must be advertised too: librdkafka before 2.11.1 compresses only if the broker has a Produce
    // version in [0, codec's minimum], i.e. v0 itself for gzip, snappy and lz4 (zstd's minimum is v7). Re-checked
    // against a silo advertising 3-9: kcat 1.7.1 (librdkafka 2.0.2) sent gzip, snappy and lz4 uncompressed ("Broker
    // does not support compression type"), zstd compressed; Confluent.Kafka 2.16 compressed all four, as librdkafka
    // 2.11.1 (confluentinc/librdkafka#5130) asks for "at least" the codec's version instead. So v0 stays for Debian's
    // librdkafka 2.0.2 (kcat, python3-confluent-kafka) only. Requests of v0-v2 decode and are answered; their old
    // message formats (magic 0 and 1) are refused per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT.
    // v10 (KIP-951 leader hints in the response) is not offered: one silo never moves a leader, and librdkafka 2.16,
    // which would send v10, works the same at v9.
    public override short MinVersion => 0;

    public override short MaxVersion => 9;

    protected override async ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var response = new ProduceResponse();
        var pending = new List<(ProduceResponse.TopicProduceResponse.PartitionProduceResponse Entry, TopicMetadata Topic, Task<AppendOutcome> Append, PooledByteBuffer? Rebuilt)>();
        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            response.Responses.Add(topicResponse);
            TopicMetadata? topic = await _topics.FindTopicAsync(topicData.Name, cancellationToken).ConfigureAwait(false);
            foreach (var partitionData in topicData.PartitionData)
            {
                var entry = new ProduceResponse.TopicProduceResponse.PartitionProduceResponse { Index = partitionData.Index, BaseOffset = -1, LogAppendTimeMs = -1, LogStartOffset = -1 };
                topicResponse.PartitionResponses.Add(entry);
                ErrorCode refusal = Check(request, topic, partitionData.Index, partitionData.Records, out string? message);
                if (refusal == ErrorCode.None && !_cluster.LeadsLocally(topic!, partitionData.Index))
                {
                    refusal = ErrorCode.NotLeaderOrFollower;
                }

                if (refusal != ErrorCode.None)
                {
                    entry.ErrorCode = (short)refusal;
                    entry.ErrorMessage = message;
                    continue;
                }

                // Not cancelled with the connection: the batches are a view of the request frame, which must outlive
                // the append (see IPartitionGrain.AppendAsync).
                ReadOnlyMemory<byte> batches = partitionData.Records!.Value;
                PooledByteBuffer? rebuilt = ProduceRecompression.Apply(topic!.Config, batches.Span, out refusal, out message);
                if (refusal != ErrorCode.None)
                {
                    entry.ErrorCode = (short)refusal;
                    entry.ErrorMessage = message;
                    continue;
                }

                batches = rebuilt?.WrittenMemory ?? batches;
                pending.Add((entry, topic, _topics.Partition(topic.Name, partitionData.Index).AppendAsync(batches, request.Acks), rebuilt));
            }
        }

        // Every append's outcome first, then every disk wait at once: awaiting one partition's fsync before asking for
        // the next one's put them in a row, and a request naming 5,000 partitions waited for 5,000 fsyncs in turn.
        Task?[]? disk = request.Acks == -1 && _acksAllWaitsForDisk ? new Task?[pending.Count] : null;
        bool manyPartitions = pending.Count >= FileSystemSync.ManyLogs;
        for (int i = 0; i < pending.Count; i++)
        {
            var (entry, topic, append, rebuilt) = pending[i];
            AppendOutcome outcome;
            try
            {
                outcome = await AppendedAsync(append, rebuilt).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The partition could not be activated (its topic was deleted meanwhile, or its log failed to open).
                outcome = AppendOutcome.Failed(ErrorCode.UnknownTopicOrPartition, ex.Message);
            }

            if (disk is not null && outcome.Error == ErrorCode.None)
            {
                // After the append's turn, so other producers keep appending while this waits for the group fsync.
                disk[i] = WaitForDiskAsync(topic, entry.Index, outcome.LastOffset, manyPartitions, cancellationToken);
            }

            entry.ErrorCode = (short)outcome.Error;
            entry.ErrorMessage = outcome.ErrorMessage;
            entry.BaseOffset = outcome.BaseOffset;
            entry.LogAppendTimeMs = outcome.LogAppendTimeMs;
            entry.LogStartOffset = outcome.LogStartOffset;
        }

        for (int i = 0; disk is not null && i < disk.Length; i++)
        {
            if (disk[i] is { } wait)
            {
                try
                {
                    await wait.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Not durable: the producer must not count the batch as written (it is in the log; a retry may
                    // duplicate it, as after any KAFKA_STORAGE_ERROR).
                    var entry = pending[i].Entry;
                    entry.ErrorCode = (short)ErrorCode.KafkaStorageError;
                    entry.ErrorMessage = ex.Message;
                    entry.BaseOffset = -1;
                }
            }
        }

        return request.Acks == 0 ? null : response;
    }

    /// <summary>The append's outcome; rebuilt batches go back to the pool once the grain has copied them into its log.</summary>
    private static async Task<AppendOutcome> AppendedAsync(Task<AppendOutcome> append, PooledByteBuffer? rebuilt)
    {
        try
        {
            return await append.ConfigureAwait(false);
        }
        finally
        {
            rebuilt?.Dispose();
        }
    }

    private async Task WaitForDiskAsync(TopicMetadata topic, int partition, long lastOffset, bool manyPartitions, CancellationToken cancellationToken)
    {
        if (await _topics.GetReaderAsync(topic, partition, cancellationToken).ConfigureAwait(false) is { } reader)
        {
            await reader.WaitForDurableAsync(lastOffset, manyPartitions).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static ErrorCode Check(ProduceRequest request, TopicMetadata? topic, int partition, ReadOnlyMemory<byte>? records, out string? message)
    {
        message = null;
        if (request.Acks is not (0 or 1 or -1))
        {
            message = $"acks must be 0, 1 or -1, not {request.Acks}.";
            return ErrorCode.InvalidRequiredAcks;
        }

        if (topic is null || partition < 0 || partition >= topic.PartitionCount)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        if (records is null || records.Value.Length == 0)
        {
            message = "The request carries no record batch.";
            return ErrorCode.CorruptMessage;
        }

        return ValidateBatches(records.Value.Span, out message);
    }

    private static ErrorCode ValidateBatches(ReadOnlySpan<byte> batches, out string? message)
    {
        RecordBatchValidation validation = RecordBatchValidator.Validate(batches);
        message = validation.IsValid ? null : validation.Message;
        return validation.IsValid ? ErrorCode.None : validation.Error;
    }

    protected override ErrorCode FirstError(ProduceResponse response)
    {
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.PartitionResponses)
            {
                if (partition.ErrorCode != 0)
                {
                    return (ErrorCode)partition.ErrorCode;
                }
            }
        }

        return ErrorCode.None;
    }
}
