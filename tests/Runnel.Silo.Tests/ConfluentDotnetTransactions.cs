using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Runnel.Silo.Tests;

/// <summary>Confluent.Kafka 2.16 helpers for the transaction tests: a transactional producer and a reader per isolation level.</summary>
public static class ConfluentDotnetTransactions
{
    public static IProducer<string, string> Producer(string bootstrapServers, string transactionalId, int transactionTimeoutMs = 60_000)
        => new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            TransactionalId = transactionalId,
            TransactionTimeoutMs = transactionTimeoutMs,
            MessageTimeoutMs = Math.Min(transactionTimeoutMs, 30_000),
            LingerMs = 5,
        }).Build();

    public static async Task CreateTopicAsync(string bootstrapServers, string topic, int partitions)
    {
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    /// <summary>Produces one record per value to <paramref name="partition"/> and waits for each to be acknowledged.</summary>
    public static async Task ProduceAsync(IProducer<string, string> producer, string topic, int partition, params string[] values)
    {
        foreach (string value in values)
        {
            await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string, string> { Key = value, Value = value });
        }
    }

    /// <summary>
    /// Reads every partition from the beginning to its end (the last stable offset for read_committed) without a group;
    /// values in order per partition.
    /// </summary>
    public static List<(int Partition, long Offset, string Value)> ReadAll(string bootstrapServers, string topic, int partitions, IsolationLevel isolation)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "readback-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            IsolationLevel = isolation,
        };
        using IConsumer<string, string> consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<(int Partition, long Offset, string Value)>();
        var ended = new HashSet<int>();
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (ended.Count < partitions)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the {isolation} consumer did not reach the end of {topic} in time; {records.Count} records read");
            ConsumeResult<string, string>? result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
                continue;
            }

            records.Add((result.Partition.Value, result.Offset.Value, result.Message.Value));
        }

        consumer.Close();
        return records;
    }

    /// <summary>The values read from one partition, in order.</summary>
    public static List<string> Values(this List<(int Partition, long Offset, string Value)> records, int partition)
        => records.Where(r => r.Partition == partition).OrderBy(r => r.Offset).Select(r => r.Value).ToList();
}
