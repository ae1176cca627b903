using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Network;

/// <summary>ListOffsets by leader: earliest (-2), latest (-1) or the first offset at or after a timestamp.</summary>
internal static class OffsetLookup
{
    public const long Earliest = -2;
    public const long Latest = -1;

    /// <summary>
    /// The offset for each (partition, timestamp spec); -1 where no record has a timestamp at or after the one asked.
    /// Retries leader and availability errors with back-off.
    /// </summary>
    public static async Task<Dictionary<TopicPartition, long>> ListAsync(KafkaCluster cluster, IReadOnlyList<(TopicPartition Partition, long Timestamp)> queries, CancellationToken cancellationToken)
    {
        var results = new Dictionary<TopicPartition, long>(queries.Count);
        var remaining = new List<(TopicPartition Partition, long Timestamp)>(queries);
        await cluster.RetryAsync("ListOffsets", async ct =>
        {
            var byLeader = new Dictionary<int, List<(TopicPartition Partition, long Timestamp)>>();
            foreach (var query in remaining)
            {
                TopicInfo topic = await cluster.GetTopicAsync(query.Partition.Topic, allowAutoCreate: false, ct).ConfigureAwait(false);
                if (query.Partition.Partition >= topic.Partitions.Length)
                {
                    throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"{query.Partition} does not exist.");
                }

                int leader = topic.Partitions[query.Partition.Partition].Leader;
                if (!byLeader.TryGetValue(leader, out var list))
                {
                    byLeader[leader] = list = [];
                }

                list.Add(query);
            }

            ErrorCode retriable = ErrorCode.None;
            foreach (var (leader, list) in byLeader)
            {
                BrokerConnection connection = await cluster.GetConnectionAsync(leader, ct).ConfigureAwait(false);
                var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = 0 };
                foreach (var (partition, timestamp) in list)
                {
                    ListOffsetsRequest.ListOffsetsTopic? topic = request.Topics.Find(t => t.Name == partition.Topic);
                    if (topic is null)
                    {
                        topic = new ListOffsetsRequest.ListOffsetsTopic { Name = partition.Topic };
                        request.Topics.Add(topic);
                    }

                    topic.Partitions.Add(new ListOffsetsRequest.ListOffsetsTopic.ListOffsetsPartition { PartitionIndex = partition.Partition, Timestamp = timestamp, CurrentLeaderEpoch = -1 });
                }

                ListOffsetsResponse response = await connection.SendAsync<ListOffsetsResponse>(ApiKey.ListOffsets, request, ct).ConfigureAwait(false);
                foreach (ListOffsetsResponse.ListOffsetsTopicResponse topic in response.Topics)
                {
                    foreach (ListOffsetsResponse.ListOffsetsTopicResponse.ListOffsetsPartitionResponse p in topic.Partitions)
                    {
                        var error = (ErrorCode)p.ErrorCode;
                        var tp = new TopicPartition(topic.Name, p.PartitionIndex);
                        if (error == ErrorCode.None)
                        {
                            results[tp] = p.Offset;
                            remaining.RemoveAll(q => q.Partition == tp);
                        }
                        else if (KafkaErrors.IsRetriable(error))
                        {
                            retriable = error;
                        }
                        else
                        {
                            throw new KafkaException(error, $"ListOffsets for {tp}: {error}.");
                        }
                    }
                }
            }

            if (retriable != ErrorCode.None)
            {
                throw new KafkaException(retriable, $"ListOffsets: {retriable}.");
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return results;
    }
}
