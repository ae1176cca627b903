namespace Runnel.Grains.Topics;

/// <summary>
/// How Runnel treats a Kafka topic config. Every Kafka 3.x/4.x topic config is known, so a tool that copies a
/// topic's configs from another cluster (a mirroring job) never meets "unknown config" for a real Kafka name;
/// what Runnel cannot honour is refused with the reason rather than stored and silently ignored.
/// </summary>
public enum ConfigSupport
{
    /// <summary>Enforced: the value changes what the topic does.</summary>
    Applied,

    /// <summary>
    /// Accepted, stored and reported, with no effect on what clients can observe: compaction tuning on a topic that is
    /// never compacted (Kafka ignores it there too), or a storage layout knob Runnel sizes its own way.
    /// </summary>
    NoEffect,

    /// <summary>Only the default value is accepted: the others ask for behaviour Runnel does not have yet.</summary>
    DefaultOnly,
}
