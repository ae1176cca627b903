using System.Collections.Immutable;
using System.Text.Json;
using Runnel.Grains.Cluster;
using Runnel.Grains.Topics;

namespace Runnel.Grains.Metadata;

/// <summary>Between the stored <see cref="MetadataDocument"/> and the <see cref="MetadataSnapshot"/> silos read, with every check a stored document must pass.</summary>
internal static class MetadataCodec
{
    /// <exception cref="InvalidDataException">The bytes are not a metadata document Runnel wrote (<paramref name="what"/> names them in the message).</exception>
    public static MetadataDocument Decode(ReadOnlySpan<byte> bytes, string what)
    {
        MetadataDocument document;
        try
        {
            document = JsonSerializer.Deserialize(bytes, MetadataJsonContext.Default.MetadataDocument)
                ?? throw new InvalidDataException($"{what} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {e.Message}", e);
        }

        if (document.Format is < 1 or > MetadataDocument.CurrentFormat || string.IsNullOrEmpty(document.ClusterId) || document.ProducerIdBlockEnd < 0)
        {
            throw new InvalidDataException($"{what} has format {document.Format} or missing fields; expected format 1 to {MetadataDocument.CurrentFormat}.");
        }

        return document;
    }

    /// <exception cref="InvalidDataException">A topic or broker entry is invalid.</exception>
    public static MetadataSnapshot ToSnapshot(MetadataDocument document, string version)
    {
        var topics = ImmutableSortedDictionary.CreateBuilder<string, TopicMetadata>(StringComparer.Ordinal);
        foreach (TopicDocument topic in document.Topics ?? [])
        {
            if (TopicNames.Validate(topic.Name) is not null || topic.PartitionCount < 1 || topic.TopicId == Guid.Empty || topics.ContainsKey(topic.Name))
            {
                throw new InvalidDataException($"The cluster metadata holds an invalid or repeated topic '{topic.Name}'.");
            }

            topics.Add(topic.Name, new TopicMetadata(topic.Name, topic.TopicId, topic.PartitionCount, LoadConfig(topic.Configs), Assignments(topic)));
        }

        var brokers = ImmutableSortedDictionary.CreateBuilder<int, BrokerRegistration>();
        foreach (BrokerDocument broker in document.Brokers ?? [])
        {
            brokers[broker.NodeId] = new BrokerRegistration(broker.NodeId, broker.Host, broker.Port, broker.Silo);
        }

        return new MetadataSnapshot(document.ClusterId, topics.ToImmutable(), brokers.ToImmutable(), document.ProducerIdBlockEnd, version);
    }

    public static MetadataDocument ToDocument(MetadataSnapshot snapshot)
    {
        var document = new MetadataDocument { ClusterId = snapshot.ClusterId, ProducerIdBlockEnd = snapshot.ProducerIdBlockEnd, Brokers = [] };
        foreach (TopicMetadata topic in snapshot.Topics.Values)
        {
            document.Topics.Add(new TopicDocument
            {
                Name = topic.Name,
                TopicId = topic.TopicId,
                PartitionCount = topic.PartitionCount,
                Configs = new Dictionary<string, string>(topic.Config.Overrides, StringComparer.Ordinal),
                Partitions = [.. topic.Assignments.Select(a => new PartitionDocument { Leader = a.Leader, Epoch = a.Epoch })],
            });
        }

        foreach (BrokerRegistration broker in snapshot.Brokers.Values)
        {
            document.Brokers.Add(new BrokerDocument { NodeId = broker.NodeId, Host = broker.Host, Port = broker.Port, Silo = broker.Silo });
        }

        return document;
    }

    private static ImmutableArray<PartitionAssignment> Assignments(TopicDocument topic)
    {
        var assignments = new PartitionAssignment[topic.PartitionCount];
        for (int p = 0; p < assignments.Length; p++)
        {
            // Format 1 had no assignments (one silo led everything); a shorter list is a partition added since.
            assignments[p] = topic.Partitions is { } stored && p < stored.Count ? new PartitionAssignment(stored[p].Leader, stored[p].Epoch) : PartitionAssignment.Unassigned;
        }

        return [.. assignments];
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
