namespace Runnel.Grains.Cluster;

/// <summary>A partition's leadership moving to <paramref name="ToNode"/>, decided when it had <paramref name="FromEpoch"/>; the move bumps the epoch by one.</summary>
public sealed record PartitionMove(string Topic, Guid TopicId, int Partition, int FromEpoch, int ToNode);
