namespace Runnel.Grains.Topics;

/// <summary>One line of DescribeConfigs: the effective value of a config and whether the topic overrides it.</summary>
public readonly record struct TopicConfigEntry(TopicConfigDefinition Definition, string Value, bool IsDefault)
{
    public string Name => Definition.Name;
}
