using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Consumer.Groups;

/// <summary>OffsetFetch for one group: committed offsets of the given partitions (all partitions when null).</summary>
internal static class OffsetFetcher
{
    public static Task<Dictionary<TopicPartition, long>> FetchAsync(GroupCoordinator coordinator, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken) =>
        coordinator.RunAsync("OffsetFetch", async (connection, ct) =>
        {
            var request = new OffsetFetchRequest { GroupId = coordinator.GroupId, RequireStable = false };
            if (partitions is null)
            {
                request.Topics = null;
            }
            else
            {
                request.Topics = [];
                foreach (TopicPartition partition in partitions)
                {
                    OffsetFetchRequest.OffsetFetchRequestTopic? topic = request.Topics.Find(t => t.Name == partition.Topic);
                    if (topic is null)
                    {
                        topic = new OffsetFetchRequest.OffsetFetchRequestTopic { Name = partition.Topic };
                        request.Topics.Add(topic);
                    }

                    topic.PartitionIndexes.Add(partition.Partition);
                }
            }

            OffsetFetchResponse response = await connection.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, request, ct).ConfigureAwait(false);
            KafkaErrors.ThrowIfError(response.ErrorCode, $"OffsetFetch for group '{coordinator.GroupId}'");
            var result = new Dictionary<TopicPartition, long>();
            foreach (OffsetFetchResponse.OffsetFetchResponseTopic topic in response.Topics)
            {
                foreach (OffsetFetchResponse.OffsetFetchResponseTopic.OffsetFetchResponsePartition p in topic.Partitions)
                {
                    if (p.ErrorCode != 0 && p.ErrorCode != (short)ErrorCode.UnknownTopicOrPartition)
                    {
                        KafkaErrors.ThrowIfError(p.ErrorCode, $"OffsetFetch of {topic.Name}[{p.PartitionIndex}] for group '{coordinator.GroupId}'");
                    }

                    result[new TopicPartition(topic.Name, p.PartitionIndex)] = p.CommittedOffset;
                }
            }

            return result;
        }, cancellationToken);
}
