namespace Runnel.Client.Admin;

/// <summary>A topic to create.</summary>
public sealed record TopicSpecification(string Name, int NumPartitions = 1, short ReplicationFactor = -1)
{
    /// <summary>Topic configs, e.g. <c>retention.ms</c>.</summary>
    public IReadOnlyDictionary<string, string>? Configs { get; init; }
}

/// <summary>A partition of a described topic.</summary>
public sealed record PartitionDescription(int Partition, int Leader, int LeaderEpoch);

/// <summary>A topic as Metadata describes it.</summary>
public sealed record TopicDescription(string Name, Guid TopicId, bool IsInternal, IReadOnlyList<PartitionDescription> Partitions);

/// <summary>One config of a resource as DescribeConfigs returns it.</summary>
public sealed record ConfigEntry(string Name, string? Value, bool IsDefault, bool IsReadOnly, bool IsSensitive);

/// <summary>What IncrementalAlterConfigs does with a config.</summary>
public enum AlterConfigOperation : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

/// <summary>One change for IncrementalAlterConfigs.</summary>
public sealed record ConfigChange(string Name, string? Value, AlterConfigOperation Operation = AlterConfigOperation.Set);

/// <summary>A group as ListGroups returns it.</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, string State);

/// <summary>A member of a described group and its assignment (decoded for consumer groups).</summary>
public sealed record GroupMemberDescription(string MemberId, string ClientId, string ClientHost, IReadOnlyList<TopicPartition> Assignment);

/// <summary>A group as DescribeGroups returns it.</summary>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<GroupMemberDescription> Members);

/// <summary>A group's committed offset on a partition, the partition's end, and the difference.</summary>
public sealed record PartitionLag(TopicPartition Partition, long CommittedOffset, long EndOffset)
{
    public long Lag => CommittedOffset < 0 ? EndOffset : Math.Max(0, EndOffset - CommittedOffset);
}

/// <summary>A broker as Metadata advertises it.</summary>
public sealed record BrokerDescription(int NodeId, string Host, int Port);

/// <summary>The cluster as Metadata describes it: its id, its controller and its brokers.</summary>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerDescription> Brokers);
