using Runnel.Protocol.Messages;

namespace Runnel.Client.Consumer.Groups;

/// <summary>Builds the body of an OffsetCommit request, for a member of a group and for the admin client alike.</summary>
internal static class OffsetCommitRequests
{
    /// <summary>Adds <paramref name="offsets"/> to <paramref name="request"/>, one entry per topic holding its partitions.</summary>
    public static void AddOffsets(OffsetCommitRequest request, IEnumerable<TopicPartitionOffset> offsets)
    {
        foreach (TopicPartitionOffset offset in offsets)
        {
            OffsetCommitRequest.OffsetCommitRequestTopic? topic = request.Topics.Find(t => t.Name == offset.Topic);
            if (topic is null)
            {
                topic = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = offset.Topic };
                request.Topics.Add(topic);
            }

            topic.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestTopic.OffsetCommitRequestPartition
            {
                PartitionIndex = offset.Partition,
                CommittedOffset = offset.Offset,
                CommittedLeaderEpoch = -1,
                CommitTimestamp = -1,
                CommittedMetadata = string.Empty,
            });
        }
    }
}
