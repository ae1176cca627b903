using System.Text.Json.Serialization;

namespace Runnel.Grains.Metadata;

/// <summary>The JSON file of <see cref="ClusterMetadataStore"/>; field names are part of the on-disk format.</summary>
internal sealed class MetadataDocument
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    public string ClusterId { get; set; } = "";

    /// <summary>Producer ids below this may have been handed out; the next block starts here.</summary>
    public long ProducerIdBlockEnd { get; set; }

    public List<TopicDocument> Topics { get; set; } = [];
}

internal sealed class TopicDocument
{
    public string Name { get; set; } = "";

    public Guid TopicId { get; set; }

    public int PartitionCount { get; set; }

    public Dictionary<string, string> Configs { get; set; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MetadataDocument))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
