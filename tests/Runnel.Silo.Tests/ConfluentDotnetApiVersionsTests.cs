using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Protocol;
using Xunit.Abstractions;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// Which API versions Confluent.Kafka 2.16 (librdkafka 2.16) really sends to a silo, read from the silo's
/// runnel_kafka_request_versions_total. The silo is this class's own, so no other client's requests are counted.
/// </summary>
public sealed class ConfluentDotnetApiVersionsTests(SiloFixture fixture, ITestOutputHelper output) : IClassFixture<SiloFixture>
{
    private const string Versions = "runnel_kafka_request_versions_total";

    /// <summary>
    /// The highest version librdkafka 2.16 implements of each API it sends here, read in its source (the maximum each
    /// request builder passes to rd_kafka_broker_ApiVersion_supported). It sends min(this, the broker's maximum).
    /// Where the silo's maximum is lower (Produce, Fetch, Metadata, OffsetCommit, OffsetFetch) the test checks that
    /// librdkafka uses the silo's maximum and falls back to nothing older (Fetch v12 would mean it found no topic
    /// ids); elsewhere it checks the figure itself. A client upgrade that changes one fails here, and the README's
    /// table of versions is to be updated with it.
    /// </summary>
    private static readonly Dictionary<string, short> s_librdkafkaMax = new(StringComparer.Ordinal)
    {
        ["Produce"] = 10, ["Fetch"] = 16, ["ListOffsets"] = 7, ["Metadata"] = 13,
        ["OffsetCommit"] = 9, ["OffsetFetch"] = 9, ["FindCoordinator"] = 2,
        ["JoinGroup"] = 5, ["Heartbeat"] = 3, ["LeaveGroup"] = 1, ["SyncGroup"] = 3,
        ["DescribeGroups"] = 5, ["ListGroups"] = 5, ["ApiVersions"] = 3,
        ["CreateTopics"] = 4, ["DeleteTopics"] = 4, ["DeleteRecords"] = 2, ["InitProducerId"] = 4,
        ["DescribeConfigs"] = 1, ["IncrementalAlterConfigs"] = 1, ["CreatePartitions"] = 2,
        ["DeleteGroups"] = 2, ["OffsetDelete"] = 0,
        ["AddPartitionsToTxn"] = 0, ["AddOffsetsToTxn"] = 0, ["EndTxn"] = 1, ["TxnOffsetCommit"] = 3,
    };

    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task Librdkafka_2_16_sends_the_highest_version_both_sides_implement_of_every_api_it_uses()
    {
        Dictionary<string, (short Min, short Max)> advertised;
        await using (var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort))
        {
            var (error, ranges) = await connection.ApiVersionsV0Async();
            Assert.Equal(KafkaErrors.None, error);
            advertised = ranges.ToDictionary(r => ((ApiKey)r.ApiKey).ToString(), r => (r.MinVersion, r.MaxVersion), StringComparer.Ordinal);
        }

        PrometheusMetrics before = await _silo.GetMetricsAsync();
        await RunEveryApiAsync();
        PrometheusMetrics after = await PollUntilAsync(m => s_librdkafkaMax.Keys.All(api => Sent(before, m, api).Count > 0));

        var report = new StringBuilder();
        foreach (var (api, librdkafkaMax) in s_librdkafkaMax.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var sent = Sent(before, after, api);
            Assert.True(sent.Count > 0, $"librdkafka 2.16 sent no {api} request; the workload should use it.\n{after.Text}");
            Assert.True(advertised.TryGetValue(api, out var range), $"librdkafka 2.16 sent {api}, which the silo does not advertise");
            short expected = Math.Min(librdkafkaMax, range.Max);
            Assert.True(sent.Count == 1 && sent.ContainsKey(expected),
                $"{api}: the silo advertises {range.Min}-{range.Max} and librdkafka 2.16 implements up to {librdkafkaMax}, so v{expected} was expected; " +
                $"it sent {string.Join(", ", sent.Select(s => $"v{s.Key} x{s.Value}"))}");
            report.Append(CultureInfo.InvariantCulture, $"{api}: librdkafka 2.16 up to v{librdkafkaMax}, silo {range.Min}-{range.Max}, sent v{expected} x{sent[expected]}\n");
        }

        // Anything librdkafka sent that the table does not know is a new API of a client upgrade.
        var unknown = after.SampleKeys.Where(k => k.StartsWith(Versions + "{", StringComparison.Ordinal))
            .Select(k => k.Split("api=\"")[1].Split('"')[0]).Distinct().Where(api => !s_librdkafkaMax.ContainsKey(api)).ToList();
        Assert.True(unknown.Count == 0, $"librdkafka 2.16 also sent {string.Join(", ", unknown)}; add them to the table.\n{after.Text}");
        output.WriteLine(report.ToString());
    }

    /// <summary>Producer, group consumer and admin client, each doing what uses the APIs of the table.</summary>
    private async Task RunEveryApiAsync()
    {
        string topic = TestData.UniqueTopic("cdn-versions");
        string group = TestData.UniqueTopic("cdn-versions-group");
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
        await admin.DescribeConfigsAsync([resource]);
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "retention.ms", Value = "3600000", IncrementalOperation = AlterConfigOpType.Set }],
        });
        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 2 }]);
        await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]));

        var records = TestData.Records(topic, 20);
        ConfluentDotnet.ProduceAll(new ProducerConfig { BootstrapServers = _silo.BootstrapServers, EnableIdempotence = true }, topic, records);
        await admin.ListOffsetsAsync([
            new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(topic, 0), OffsetSpec = OffsetSpec.Earliest() },
            new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(topic, 1), OffsetSpec = OffsetSpec.MaxTimestamp() },
        ]);

        using (IConsumer<Ignore, string> consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
               {
                   BootstrapServers = _silo.BootstrapServers, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest,
                   EnableAutoCommit = false, HeartbeatIntervalMs = 300, SessionTimeoutMs = 6000,
               }).Build())
        {
            consumer.Subscribe(topic);
            int consumed = 0;
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (consumed < records.Count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the group member read {consumed} of {records.Count} records in 60 s");
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not null)
                {
                    consumed++;
                }
            }

            consumer.Commit();
            consumer.Committed(TimeSpan.FromSeconds(10));

            // A transaction that also commits the group's offsets: AddPartitionsToTxn, AddOffsetsToTxn,
            // TxnOffsetCommit and EndTxn.
            using (IProducer<string, string> transactional = ConfluentDotnetTransactions.Producer(_silo.BootstrapServers, "tx-" + topic))
            {
                transactional.InitTransactions(TimeSpan.FromSeconds(30));
                transactional.BeginTransaction();
                await ConfluentDotnetTransactions.ProduceAsync(transactional, topic, 0, "in-a-transaction");
                transactional.SendOffsetsToTransaction([new TopicPartitionOffset(topic, 0, 20)], consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
                transactional.CommitTransaction(TimeSpan.FromSeconds(30));
            }

            await admin.ListConsumerGroupsAsync();
            await admin.DescribeConsumerGroupsAsync([group]);
            await Task.Delay(1000); // a heartbeat or more (every 300 ms)
            consumer.Close(); // LeaveGroup
        }

        await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        await admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(topic, 0)]);
        await admin.DeleteGroupsAsync([group]);
        await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 5)]);
        await admin.DeleteTopicsAsync([topic]);
    }

    /// <summary>The versions of <paramref name="api"/> sent between two scrapes, with their request counts.</summary>
    private static Dictionary<short, double> Sent(PrometheusMetrics before, PrometheusMetrics after, string api)
    {
        var sent = new Dictionary<short, double>();
        for (short version = 0; version < 32; version++)
        {
            string v = version.ToString(CultureInfo.InvariantCulture);
            double delta = after.Get(Versions, ("api", api), ("version", v)) - before.Get(Versions, ("api", api), ("version", v));
            if (delta > 0)
            {
                sent[version] = delta;
            }
        }

        return sent;
    }

    /// <summary>Polls the metrics (at most 10 s) until <paramref name="condition"/> holds; a request still being read lands in the next scrape.</summary>
    private async Task<PrometheusMetrics> PollUntilAsync(Func<PrometheusMetrics, bool> condition)
    {
        PrometheusMetrics metrics = await _silo.GetMetricsAsync();
        for (int attempt = 0; attempt < 100 && !condition(metrics); attempt++)
        {
            await Task.Delay(100);
            metrics = await _silo.GetMetricsAsync();
        }

        return metrics;
    }
}
