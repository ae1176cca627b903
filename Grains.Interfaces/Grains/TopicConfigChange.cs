namespace Runnel.Grains;

/// <summary>IncrementalAlterConfigs' operations, numbered as its configOperation field.</summary>
public enum ConfigOperation : sbyte
{
    Set = 0,
    Delete = 1,

    /// <summary>List configs only: adds the value's items that are not there yet.</summary>
    Append = 2,

    /// <summary>List configs only: removes the value's items.</summary>
    Subtract = 3,
}

/// <summary>
/// One change to a topic's configs. Sent to the topic grain as is, so APPEND and SUBTRACT apply to the value the
/// topic has when the change is made, not to one read earlier by the listener.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.topic-config-change")]
public readonly record struct TopicConfigChange(string Name, string? Value, ConfigOperation Operation)
{
    public static TopicConfigChange Set(string name, string? value) => new(name, value, ConfigOperation.Set);

    public static TopicConfigChange Delete(string name) => new(name, null, ConfigOperation.Delete);
}
