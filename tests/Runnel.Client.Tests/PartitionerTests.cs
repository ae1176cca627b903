using Runnel.Client.Admin;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>The default partitioner sends a key where librdkafka's murmur2_random (= the Java client's default) does.</summary>
public sealed class PartitionerTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const int Partitions = 7;
    private const int Keys = 1000;

    [Fact]
    public async Task Murmur2_partition_of_1000_keys_matches_librdkafka_murmur2_random_and_the_producer_uses_it()
    {
        string topic = TestData.UniqueTopic("murmur");
        await using (var admin = new KafkaAdminClient(TestHelpers.Producer(fixture.Silo)))
        {
            await admin.CreateTopicsAsync([new TopicSpecification(topic, Partitions)]);
        }

        // kcat chooses the partitions: keyed records, no -p, librdkafka's murmur2_random partitioner.
        var input = string.Join('\n', Enumerable.Range(0, Keys).Select(i => $"key-{i * 7919}:v")) + "\n";
        ProcessResult produced = await Kcat.RunAsync(["-P", "-b", fixture.Silo.BootstrapServers, "-t", topic, "-K:", "-X", "partitioner=murmur2_random"], input);
        produced.EnsureSuccess("kcat -P failed");
        ProcessResult consumed = await Kcat.RunAsync(["-C", "-b", fixture.Silo.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-f", "%p %k\n"]);
        consumed.EnsureSuccess("kcat -C failed");
        var kcatPartition = consumed.StdoutLines.Where(l => l.Length > 0).Select(l => l.Split(' ')).ToDictionary(p => p[1], p => int.Parse(p[0], CultureInfo.InvariantCulture));
        Assert.Equal(Keys, kcatPartition.Count);
        Assert.True(kcatPartition.Values.Distinct().Count() == Partitions, "the keys should spread over every partition");

        var mismatches = kcatPartition.Where(kv => Murmur2.Partition(System.Text.Encoding.UTF8.GetBytes(kv.Key), Partitions) != kv.Value).ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} keys differ, e.g. {string.Join(", ", mismatches.Take(5))}");

        // The producer's default partitioner really routes by it.
        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(fixture.Silo));
        var deliveries = kcatPartition.Keys.Select(k => (Key: k, Task: producer.ProduceAsync(topic, k, "from-runnel").AsTask())).ToList();
        foreach (var (key, task) in deliveries)
        {
            Assert.Equal(kcatPartition[key], (await task).Partition);
        }
    }

    [Fact]
    public void Null_keys_stick_to_a_partition_until_its_batch_fills_then_move()
    {
        var partitioner = new DefaultPartitioner();
        int first = partitioner.Partition("t", default, keyIsNull: true, 5);
        Assert.Equal(first, partitioner.Partition("t", default, keyIsNull: true, 5));
        partitioner.OnBatchFull("t", first, 5);
        Assert.NotEqual(first, partitioner.Partition("t", default, keyIsNull: true, 5));
    }
}
