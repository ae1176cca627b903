namespace Runnel.Grains.Topics;

/// <summary>
/// One topic config Runnel knows: its name, type, default, documentation (sent by DescribeConfigs) and rule.
/// A read-only config is listed for clients but only accepts its one value.
/// </summary>
public sealed class TopicConfigDefinition
{
    private readonly Func<string, string?> _validate;

    public TopicConfigDefinition(string name, ConfigType type, string defaultValue, string documentation, bool isReadOnly, Func<string, string?> validate)
    {
        Name = name;
        Type = type;
        DefaultValue = defaultValue;
        Documentation = documentation;
        IsReadOnly = isReadOnly;
        _validate = validate;
    }

    public string Name { get; }

    public ConfigType Type { get; }

    public string DefaultValue { get; }

    public string Documentation { get; }

    public bool IsReadOnly { get; }

    /// <summary>Null when <paramref name="value"/> is acceptable, otherwise a message for the client.</summary>
    public string? Validate(string value) => _validate(value);
}
