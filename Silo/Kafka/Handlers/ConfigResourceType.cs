namespace Runnel.Silo.Kafka.Handlers;

/// <summary>Kafka's config resource types (ConfigResource.Type) that Runnel answers for.</summary>
internal static class ConfigResourceType
{
    public const sbyte Topic = 2;
    public const sbyte Broker = 4;

    // DescribeConfigs configSource values.
    public const sbyte SourceTopicConfig = 1;
    public const sbyte SourceDefault = 5;
}
