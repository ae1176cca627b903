namespace Runnel.Grains.Topics;

/// <summary>A config's value type, numbered as DescribeConfigs' configType field (KIP-569) so it can be sent as is.</summary>
public enum ConfigType : sbyte
{
    Unknown = 0,
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
}
