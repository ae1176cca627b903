using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Consumer.Groups;

/// <summary>
/// The standard embedded consumer protocol (JoinGroup metadata, SyncGroup assignment): an int16 version followed
/// by <see cref="ConsumerProtocolSubscription"/> or <see cref="ConsumerProtocolAssignment"/> in that version.
/// </summary>
internal static class ConsumerProtocol
{
    private const short SubscriptionVersion = 1;
    private const short AssignmentVersion = 1;

    public static byte[] EncodeSubscription(IReadOnlyList<string> topics, IReadOnlyCollection<TopicPartition> owned)
    {
        var subscription = new ConsumerProtocolSubscription { Topics = [.. topics], UserData = null };
        foreach (var group in owned.GroupBy(p => p.Topic))
        {
            subscription.OwnedPartitions.Add(new ConsumerProtocolSubscription.TopicPartition { Topic = group.Key, Partitions = [.. group.Select(p => p.Partition)] });
        }

        using var writer = new KafkaWriter();
        writer.WriteInt16(SubscriptionVersion);
        subscription.Write(writer, SubscriptionVersion);
        return writer.WrittenSpan.ToArray();
    }

    public static MemberSubscription DecodeSubscription(string memberId, ReadOnlyMemory<byte> metadata)
    {
        var reader = new KafkaReader(metadata);
        short version = Math.Min(reader.ReadInt16(), ConsumerProtocolSubscription.HighestSupportedVersion);
        var subscription = new ConsumerProtocolSubscription();
        subscription.Read(ref reader, version);
        var owned = new List<TopicPartition>();
        foreach (ConsumerProtocolSubscription.TopicPartition tp in subscription.OwnedPartitions)
        {
            foreach (int p in tp.Partitions)
            {
                owned.Add(new TopicPartition(tp.Topic, p));
            }
        }

        return new MemberSubscription(memberId, subscription.Topics, owned);
    }

    public static byte[] EncodeAssignment(IReadOnlyList<TopicPartition> partitions)
    {
        var assignment = new ConsumerProtocolAssignment { UserData = null };
        foreach (var group in partitions.GroupBy(p => p.Topic))
        {
            assignment.AssignedPartitions.Add(new ConsumerProtocolAssignment.TopicPartition { Topic = group.Key, Partitions = [.. group.Select(p => p.Partition)] });
        }

        using var writer = new KafkaWriter();
        writer.WriteInt16(AssignmentVersion);
        assignment.Write(writer, AssignmentVersion);
        return writer.WrittenSpan.ToArray();
    }

    public static List<TopicPartition> DecodeAssignment(ReadOnlyMemory<byte> bytes)
    {
        var result = new List<TopicPartition>();
        if (bytes.Length < 2)
        {
            return result;
        }

        var reader = new KafkaReader(bytes);
        short version = Math.Min(reader.ReadInt16(), ConsumerProtocolAssignment.HighestSupportedVersion);
        var assignment = new ConsumerProtocolAssignment();
        assignment.Read(ref reader, version);
        foreach (ConsumerProtocolAssignment.TopicPartition tp in assignment.AssignedPartitions)
        {
            foreach (int p in tp.Partitions)
            {
                result.Add(new TopicPartition(tp.Topic, p));
            }
        }

        return result;
    }
}
