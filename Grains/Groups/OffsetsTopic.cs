namespace Runnel.Grains.Groups;

/// <summary>
/// The internal topic holding committed offsets, named and keyed as Kafka's: a group's records all go to one
/// partition, chosen from the group id the way Kafka does (Java's String.hashCode), so the choice never changes
/// between runs.
/// </summary>
public static class OffsetsTopic
{
    public const string Name = "__consumer_offsets";

    /// <summary>Configs of the topic: retention must never delete offsets (there is no compaction yet), see README.</summary>
    public static IReadOnlyDictionary<string, string?> Configs { get; } = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["retention.ms"] = "-1",
        ["retention.bytes"] = "-1",
    };

    /// <summary>True for topics the silo itself owns (Metadata reports them as internal).</summary>
    public static bool IsInternal(string topic) => string.Equals(topic, Name, StringComparison.Ordinal);

    public static int PartitionFor(string groupId, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(groupId);
        int hash = 0;
        foreach (char c in groupId)
        {
            hash = unchecked((31 * hash) + c);
        }

        // Kafka's Utils.abs maps int.MinValue to 0 rather than overflowing.
        int positive = hash == int.MinValue ? 0 : Math.Abs(hash);
        return positive % partitionCount;
    }
}
