using System.Text;
using Confluent.Kafka;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// Confluent.Kafka 2.16 (librdkafka 2.16, NuGet) used in-process: producing with delivery reports and reading a
/// partition back. Not in Infrastructure/: Runnel.Client.Tests compiles that folder and has no Confluent.Kafka.
/// </summary>
public static class ConfluentDotnet
{
    /// <summary>
    /// Produces <paramref name="records"/> in order to partition 0 and waits for every delivery report; returns the
    /// offsets the silo acknowledged, by record index. Fails on any delivery error or a report that never came.
    /// </summary>
    public static long[] ProduceAll(ProducerConfig config, string topic, IReadOnlyList<ExpectedRecord> records, Func<int, Timestamp>? timestamp = null)
    {
        var reports = new DeliveryReport<string?, string>?[records.Count];
        using IProducer<string?, string> producer = new ProducerBuilder<string?, string>(config).Build();
        for (int i = 0; i < records.Count; i++)
        {
            int index = i;
            var message = new Message<string?, string> { Key = records[i].Key, Value = records[i].Value, Headers = [] };
            foreach (var (key, value) in records[i].Headers)
            {
                message.Headers.Add(key, Encoding.UTF8.GetBytes(value));
            }

            if (timestamp is not null)
            {
                message.Timestamp = timestamp(i);
            }

            producer.Produce(new TopicPartition(topic, 0), message, report => reports[index] = report);
        }

        int undelivered = producer.Flush(TimeSpan.FromSeconds(120));
        Assert.True(undelivered == 0, $"{undelivered} of {records.Count} records to {topic} were still undelivered after 120 s");
        var offsets = new long[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            DeliveryReport<string?, string> report = reports[i] ?? throw new InvalidOperationException($"no delivery report for record {i} of {topic}");
            Assert.True(report.Error.Code == Confluent.Kafka.ErrorCode.NoError && report.Status == PersistenceStatus.Persisted,
                $"record {i} of {topic} was not delivered: {report.Error} (status {report.Status})");
            offsets[i] = report.Offset.Value;
        }

        return offsets;
    }

    /// <summary>Reads a partition from the beginning to its end (partition EOF) with Confluent.Kafka's consumer, without a group.</summary>
    public static List<ConsumedRecord> ConsumeAll(string bootstrapServers, string topic, int partition = 0, TimeSpan? timeout = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            // Confluent.Kafka insists on a group id; with Assign and no commits the group is never joined.
            GroupId = "readback-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using IConsumer<string?, string> consumer = new ConsumerBuilder<string?, string>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, partition, Offset.Beginning));
        var records = new List<ConsumedRecord>();
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Confluent.Kafka's consumer did not reach the end of {topic}/{partition} in time; {records.Count} records read");
            ConsumeResult<string?, string>? result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                break;
            }

            var headers = (result.Message.Headers ?? []).Select(h => (h.Key, Encoding.UTF8.GetString(h.GetValueBytes()))).ToList();
            records.Add(new ConsumedRecord(result.Offset.Value, result.Message.Key, result.Message.Value, headers, result.Message.Timestamp.UnixTimestampMs));
        }

        consumer.Close();
        return records;
    }
}
