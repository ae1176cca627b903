using Runnel.Grains.Groups;

namespace Runnel.Grains.Transactions;

/// <summary>
/// The internal topic holding transaction coordinators' state, named as Kafka's. A transactional id's records all go
/// to one partition, chosen with the same hash groups use for the offsets topic, and that partition's leader is the
/// id's coordinator.
/// </summary>
public static class TransactionStateTopic
{
    public const string Name = "__transaction_state";

    /// <summary>Partitions when the topic is created (Kafka's default is 50; a small number keeps one silo light).</summary>
    public const int Partitions = 8;

    /// <summary>Retention must never delete a coordinator's state (there is no compaction yet), as for the offsets topic.</summary>
    public static IReadOnlyDictionary<string, string?> Configs => OffsetsTopic.Configs;

    public static bool IsInternal(string topic) => string.Equals(topic, Name, StringComparison.Ordinal);

    public static int PartitionFor(string transactionalId, int partitionCount) => OffsetsTopic.PartitionFor(transactionalId, partitionCount);
}
