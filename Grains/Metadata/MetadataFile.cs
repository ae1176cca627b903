using System.Collections.Immutable;
using System.Text.Json;
using Runnel.Grains.Storage;
using Runnel.Grains.Topics;

namespace Runnel.Grains.Metadata;

/// <summary>Reading and atomically replacing the JSON file behind <see cref="ClusterMetadataStore"/>.</summary>
internal static class MetadataFile
{
    /// <exception cref="InvalidDataException">The file is not a metadata document Runnel wrote; starting empty would lose every topic.</exception>
    public static (string ClusterId, ImmutableSortedDictionary<string, TopicMetadata> Topics, long ProducerIdBlockEnd) Load(string path)
    {
        MetadataDocument document;
        try
        {
            document = JsonSerializer.Deserialize(File.ReadAllBytes(path), MetadataJsonContext.Default.MetadataDocument)
                ?? throw new InvalidDataException($"The cluster metadata file '{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The cluster metadata file '{path}' is not valid JSON: {e.Message}", e);
        }

        if (document.Format != MetadataDocument.CurrentFormat || string.IsNullOrEmpty(document.ClusterId) || document.ProducerIdBlockEnd < 0)
        {
            throw new InvalidDataException($"The cluster metadata file '{path}' has format {document.Format} or missing fields; expected format {MetadataDocument.CurrentFormat}.");
        }

        var topics = ImmutableSortedDictionary.CreateBuilder<string, TopicMetadata>(StringComparer.Ordinal);
        foreach (TopicDocument topic in document.Topics ?? [])
        {
            if (TopicNames.Validate(topic.Name) is not null || topic.PartitionCount < 1 || topic.TopicId == Guid.Empty || topics.ContainsKey(topic.Name))
            {
                throw new InvalidDataException($"The cluster metadata file '{path}' holds an invalid or repeated topic '{topic.Name}'.");
            }

            topics.Add(topic.Name, new TopicMetadata(topic.Name, topic.TopicId, topic.PartitionCount, LoadConfig(topic.Configs)));
        }

        return (document.ClusterId, topics.ToImmutable(), document.ProducerIdBlockEnd);
    }

    /// <summary>Temp file, fsync, rename, fsync of the folder: after any crash the file is the old or the new version.</summary>
    public static void Save(string path, string clusterId, ImmutableSortedDictionary<string, TopicMetadata> topics, long producerIdBlockEnd)
    {
        var document = new MetadataDocument { ClusterId = clusterId, ProducerIdBlockEnd = producerIdBlockEnd };
        foreach (TopicMetadata topic in topics.Values)
        {
            document.Topics.Add(new TopicDocument
            {
                Name = topic.Name,
                TopicId = topic.TopicId,
                PartitionCount = topic.PartitionCount,
                Configs = new Dictionary<string, string>(topic.Config.Overrides, StringComparer.Ordinal),
            });
        }

        DurableFile.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(document, MetadataJsonContext.Default.MetadataDocument));
    }

    /// <summary>Stored overrides one by one, so a value a newer catalog no longer accepts falls back to its default instead of failing the start.</summary>
    private static TopicConfig LoadConfig(Dictionary<string, string>? stored)
    {
        TopicConfig config = TopicConfig.Default;
        foreach (KeyValuePair<string, string> entry in stored ?? [])
        {
            if (config.TryWith([new KeyValuePair<string, string?>(entry.Key, entry.Value)], out TopicConfig? next, out _))
            {
                config = next;
            }
        }

        return config;
    }
}
