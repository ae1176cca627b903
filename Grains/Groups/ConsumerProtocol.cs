using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Grains.Groups;

/// <summary>
/// Reads the embedded consumer protocol (protocol type "consumer"): an int16 version, then a subscription or an
/// assignment. The coordinator passes these bytes on untouched; it reads them only to show assignments and to
/// refuse OffsetDelete on subscribed topics. Malformed or foreign bytes read as nothing.
/// </summary>
public static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";

    public static IReadOnlyList<string> SubscribedTopics(byte[] metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Length < 2)
        {
            return [];
        }

        try
        {
            var reader = new KafkaReader(metadata.AsMemory(2));
            var subscription = new ConsumerProtocolSubscription();
            subscription.Read(ref reader, Version(metadata, ConsumerProtocolSubscription.HighestSupportedVersion));
            return subscription.Topics;
        }
        catch (KafkaProtocolException)
        {
            return [];
        }
    }

    public static IReadOnlyList<GroupTopicPartition> AssignedPartitions(byte[] assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (assignment.Length < 2)
        {
            return [];
        }

        try
        {
            var reader = new KafkaReader(assignment.AsMemory(2));
            var message = new ConsumerProtocolAssignment();
            message.Read(ref reader, Version(assignment, ConsumerProtocolAssignment.HighestSupportedVersion));
            return message.AssignedPartitions.SelectMany(t => t.Partitions.Select(p => new GroupTopicPartition(t.Topic, p))).ToList();
        }
        catch (KafkaProtocolException)
        {
            return [];
        }
    }

    // Newer versions only add fields at the end, so a reader of an older version still gets the ones it knows.
    private static short Version(byte[] bytes, short highest)
    {
        short version = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(bytes);
        return version < 0 ? (short)0 : Math.Min(version, highest);
    }
}
