using Runnel.Client.Consumer;
using Runnel.Client.Producer;

namespace Runnel.Client.Tests;

/// <summary>The sample in Client/Runnel.Client/README.md, kept here so a test compiles and runs exactly that code.</summary>
internal static class ReadmeSample
{
    public static async Task<string> RunAsync(string bootstrap, string topic)
    {
        // README-SAMPLE-START
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = bootstrap });
        DeliveryResult sent = await producer.ProduceAsync(topic, "order-17", "{\"total\": 42}", [Header.Utf8("source", "web")]);
        Console.WriteLine($"written to {sent.Topic}[{sent.Partition}] at offset {sent.Offset}");

        await using var consumer = new KafkaConsumer<string, string>(new ConsumerOptions { BootstrapServers = bootstrap });
        consumer.Assign([new TopicPartitionOffset(topic, sent.Partition, Offsets.Beginning)]);
        await foreach (ConsumeResult<string, string> record in consumer.ConsumeAsync())
        {
            Console.WriteLine($"{record.Offset}: {record.Key} = {record.Value}");
            break;
        }
        // README-SAMPLE-END
        return $"{sent.Partition}:{sent.Offset}";
    }
}
