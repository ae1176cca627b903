using Runnel.Grains.Topics;

namespace Runnel.Grains.Metadata;

/// <summary>
/// A topic as the cluster knows it. <paramref name="TopicId"/> is stable for the topic's life and never reused,
/// so a re-created topic of the same name is a different topic to clients that track ids (KIP-516).
/// </summary>
public sealed record TopicMetadata(string Name, Guid TopicId, int PartitionCount, TopicConfig Config);
