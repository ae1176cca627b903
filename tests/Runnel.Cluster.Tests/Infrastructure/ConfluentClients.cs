using Confluent.Kafka;

namespace Runnel.Cluster.Tests.Infrastructure;

/// <summary>Confluent.Kafka 2.16 (librdkafka 2.16) producers and consumers for a cluster, with bounded waits.</summary>
internal static class ConfluentClients
{
    public static IProducer<string, string> Producer(string bootstrap) => new ProducerBuilder<string, string>(new ProducerConfig
    {
        BootstrapServers = bootstrap,
        Acks = Acks.All,
        EnableIdempotence = true,
        LingerMs = 5,
        MessageTimeoutMs = 60_000,
    }).Build();

    /// <summary>Produces <paramref name="perPartition"/> records to each partition; values are "{partition}:{sequence}".</summary>
    public static async Task ProduceAsync(string bootstrap, string topic, int partitions, int perPartition, int firstSequence = 0)
    {
        using IProducer<string, string> producer = Producer(bootstrap);
        var sends = new List<Task<DeliveryResult<string, string>>>();
        for (int i = firstSequence; i < firstSequence + perPartition; i++)
        {
            for (int p = 0; p < partitions; p++)
            {
                sends.Add(producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = $"k{i}", Value = $"{p}:{i}" }));
            }
        }

        await Task.WhenAll(sends);
    }

    /// <summary>Reads every partition from the beginning to its current end (bounded: 60 s); values by partition, in offset order.</summary>
    public static Dictionary<int, List<(long Offset, string Value)>> ReadAll(string bootstrap, string topic, int partitions)
    {
        using IConsumer<string, string> consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reader-" + Guid.NewGuid().ToString("N")[..6],
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
        }).Build();
        var result = Enumerable.Range(0, partitions).ToDictionary(p => p, _ => new List<(long, string)>());
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ended.Count < partitions)
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading {topic}: only {ended.Count} of {partitions} partitions reached their end in 60 s");
            ConsumeResult<string, string>? record = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (record is null)
            {
                continue;
            }

            if (record.IsPartitionEOF)
            {
                ended.Add(record.Partition.Value);
                continue;
            }

            result[record.Partition.Value].Add((record.Offset.Value, record.Message.Value));
        }

        return result;
    }
}
