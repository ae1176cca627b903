namespace Runnel.Grains.Topics;

/// <summary>
/// One Kafka topic config Runnel knows: its name, type, Kafka's default (Runnel's where it differs, said in the
/// documentation), how Runnel supports it, its documentation (sent by DescribeConfigs) and its rule.
/// </summary>
public sealed class TopicConfigDefinition
{
    private readonly Func<string, string?> _validate;

    public TopicConfigDefinition(string name, ConfigType type, string defaultValue, ConfigSupport support, string documentation, Func<string, string?> validate, bool deprecated = false)
    {
        Name = name;
        Type = type;
        DefaultValue = defaultValue;
        Support = support;
        Documentation = documentation;
        IsDeprecated = deprecated;
        _validate = validate;
    }

    public string Name { get; }

    public ConfigType Type { get; }

    public string DefaultValue { get; }

    public ConfigSupport Support { get; }

    public string Documentation { get; }

    /// <summary>Deprecated by Kafka (and removed in 4.0) but still accepted by Kafka 3.x, so copies from such clusters work.</summary>
    public bool IsDeprecated { get; }

    /// <summary>DescribeConfigs' read-only flag: a config that only takes its default cannot be changed.</summary>
    public bool IsReadOnly => Support == ConfigSupport.DefaultOnly;

    /// <summary>Null when <paramref name="value"/> is acceptable, otherwise a message for the client.</summary>
    public string? Validate(string value) => _validate(value);
}
