using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Perf.Kafka;

/// <summary>
/// What the load needs to know about a cluster: which broker leads each partition of the topic. Creates the topic
/// first (CreateTopics v2; an existing topic is fine) so a multi-partition run does not depend on auto-creation.
/// Versions are the non-flexible ones every Kafka since 2.1 and every Kafka-compatible broker answers.
/// </summary>
public sealed class KafkaCluster
{
    public const short MetadataVersion = 1;
    public const short CreateTopicsVersion = 2;

    private KafkaCluster(Dictionary<int, (string Host, int Port)> brokers, int[] leaders)
    {
        Brokers = brokers;
        Leaders = leaders;
    }

    public Dictionary<int, (string Host, int Port)> Brokers { get; }

    /// <summary>Leader broker id per partition index.</summary>
    public int[] Leaders { get; }

    public static async Task<KafkaCluster> LoadAsync(string bootstrap, string topic, int partitions, bool create, CancellationToken cancellationToken)
    {
        (string host, int port) = ParseHostPort(bootstrap);
        await using KafkaWire wire = await KafkaWire.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        if (create)
        {
            var request = new CreateTopicsRequest { TimeoutMs = 30_000 };
            request.Topics.Add(new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 });
            CreateTopicsResponse created = await wire.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, CreateTopicsVersion, request, cancellationToken).ConfigureAwait(false);
            foreach (var result in created.Topics)
            {
                if (result.ErrorCode != 0 && result.ErrorCode != (short)ErrorCode.TopicAlreadyExists)
                {
                    throw new InvalidOperationException($"CreateTopics '{topic}' failed with error {(ErrorCode)result.ErrorCode}.");
                }
            }
        }

        for (int attempt = 0; attempt < 50; attempt++)
        {
            var metadata = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] };
            MetadataResponse response = await wire.RequestAsync<MetadataResponse>(ApiKey.Metadata, MetadataVersion, metadata, cancellationToken).ConfigureAwait(false);
            var brokers = new Dictionary<int, (string, int)>();
            foreach (var broker in response.Brokers)
            {
                brokers[broker.NodeId] = (broker.Host, broker.Port);
            }

            var found = response.Topics.Find(t => t.Name == topic);
            if (found is { ErrorCode: 0 } && found.Partitions.Count > 0 && found.Partitions.TrueForAll(p => p.ErrorCode == 0 && p.LeaderId >= 0))
            {
                var leaders = new int[found.Partitions.Count];
                foreach (var partition in found.Partitions)
                {
                    leaders[partition.PartitionIndex] = partition.LeaderId;
                }

                return new KafkaCluster(brokers, leaders);
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"Topic '{topic}' has no leaders after 5 s.");
    }

    /// <summary>Deletes a topic (DeleteTopics v1), so repeated runs do not fill the broker's disk.</summary>
    public static async Task<int> DeleteTopicAsync(string bootstrap, string topic, CancellationToken cancellationToken)
    {
        (string host, int port) = ParseHostPort(bootstrap);
        await using KafkaWire wire = await KafkaWire.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        var request = new DeleteTopicsRequest { TopicNames = [topic], TimeoutMs = 30_000 };
        DeleteTopicsResponse response = await wire.RequestAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, 1, request, cancellationToken).ConfigureAwait(false);
        short error = response.Responses.Count > 0 ? response.Responses[0].ErrorCode : (short)-1;
        Console.WriteLine($"delete {topic}: {(ErrorCode)error}");
        return error == 0 ? 0 : 1;
    }

    public static (string Host, int Port) ParseHostPort(string address)
    {
        int colon = address.LastIndexOf(':');
        return colon < 0 ? (address, 9092) : (address[..colon], int.Parse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}
