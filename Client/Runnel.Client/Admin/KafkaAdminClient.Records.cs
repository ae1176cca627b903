using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>
    /// DeleteRecords: moves each partition's log start offset up to the given offset (<see cref="Offsets.End"/>,
    /// -1, means the high watermark) and answers the new low watermarks. An offset below the current start changes
    /// nothing; an offset below -1 or above the high watermark fails with OffsetOutOfRange and deletes nothing.
    /// </summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> DeleteRecordsAsync(IReadOnlyDictionary<TopicPartition, long> before, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        var lowWatermarks = new Dictionary<TopicPartition, long>(before.Count);
        var remaining = new Dictionary<TopicPartition, long>(before);
        await _cluster.RetryAsync("DeleteRecords", async ct =>
        {
            var errors = new List<(short, string, string?)>();
            ErrorCode retriable = ErrorCode.None;
            foreach (var (leader, request) in await RequestsByLeaderAsync(remaining, ct).ConfigureAwait(false))
            {
                BrokerConnection connection = await _cluster.GetConnectionAsync(leader, ct).ConfigureAwait(false);
                DeleteRecordsResponse response = await connection.SendAsync<DeleteRecordsResponse>(ApiKey.DeleteRecords, request, ct).ConfigureAwait(false);
                foreach (DeleteRecordsResponse.DeleteRecordsTopicResult topic in response.Topics)
                {
                    foreach (DeleteRecordsResponse.DeleteRecordsTopicResult.DeleteRecordsPartitionResult p in topic.Partitions)
                    {
                        var tp = new TopicPartition(topic.Name, p.PartitionIndex);
                        var error = (ErrorCode)p.ErrorCode;
                        if (error == ErrorCode.None)
                        {
                            lowWatermarks[tp] = p.LowWatermark;
                            remaining.Remove(tp);
                        }
                        else if (KafkaErrors.IsRetriable(error))
                        {
                            retriable = error;
                        }
                        else
                        {
                            errors.Add((p.ErrorCode, $"Deleting the records of {tp} before offset {before[tp]}", null));
                        }
                    }
                }
            }

            ThrowErrors(errors);
            if (retriable != ErrorCode.None)
            {
                throw new KafkaException(retriable, $"DeleteRecords: {retriable}.");
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return lowWatermarks;
    }

    private async Task<Dictionary<int, DeleteRecordsRequest>> RequestsByLeaderAsync(Dictionary<TopicPartition, long> offsets, CancellationToken cancellationToken)
    {
        var byLeader = new Dictionary<int, DeleteRecordsRequest>();
        foreach (var (partition, offset) in offsets)
        {
            TopicInfo topic = await _cluster.GetTopicAsync(partition.Topic, allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
            if (partition.Partition < 0 || partition.Partition >= topic.Partitions.Length)
            {
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"{partition} does not exist.");
            }

            int leader = topic.Partitions[partition.Partition].Leader;
            if (!byLeader.TryGetValue(leader, out DeleteRecordsRequest? request))
            {
                byLeader[leader] = request = new DeleteRecordsRequest { TimeoutMs = (int)_cluster.Options.RequestTimeout.TotalMilliseconds };
            }

            DeleteRecordsRequest.DeleteRecordsTopic? entry = request.Topics.Find(t => t.Name == partition.Topic);
            if (entry is null)
            {
                entry = new DeleteRecordsRequest.DeleteRecordsTopic { Name = partition.Topic };
                request.Topics.Add(entry);
            }

            entry.Partitions.Add(new DeleteRecordsRequest.DeleteRecordsTopic.DeleteRecordsPartition { PartitionIndex = partition.Partition, Offset = offset });
        }

        return byLeader;
    }
}
