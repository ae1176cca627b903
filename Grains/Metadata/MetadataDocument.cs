using System.Text.Json.Serialization;

namespace Runnel.Grains.Metadata;

/// <summary>
/// The stored form of the cluster metadata (a file of one silo, or a blob every silo of a cluster shares); field
/// names are part of the format. Format 1 had no brokers and no partition assignments; it still loads.
/// </summary>
internal sealed class MetadataDocument
{
    public const int CurrentFormat = 2;

    public int Format { get; set; } = CurrentFormat;

    public string ClusterId { get; set; } = "";

    /// <summary>Producer ids below this may have been handed out; the next block starts here.</summary>
    public long ProducerIdBlockEnd { get; set; }

    public List<TopicDocument> Topics { get; set; } = [];

    public List<BrokerDocument>? Brokers { get; set; }
}

internal sealed class TopicDocument
{
    public string Name { get; set; } = "";

    public Guid TopicId { get; set; }

    public int PartitionCount { get; set; }

    public Dictionary<string, string> Configs { get; set; } = [];

    /// <summary>Per partition, the node leading it and its leader epoch; absent in format 1 (one silo leads all).</summary>
    public List<PartitionDocument>? Partitions { get; set; }
}

internal sealed class PartitionDocument
{
    public int Leader { get; set; } = -1;

    public int Epoch { get; set; }
}

internal sealed class BrokerDocument
{
    public int NodeId { get; set; }

    public string Host { get; set; } = "";

    public int Port { get; set; }

    public string Silo { get; set; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MetadataDocument))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
