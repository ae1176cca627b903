using Confluent.Kafka;
using Runnel.Cluster.Tests.Infrastructure;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests;

/// <summary>
/// Transactions on three silos: the coordinator of a transactional id is the leader of its `__transaction_state`
/// partition, every silo names the same one, and the markers reach partitions led by the other silos.
/// </summary>
public sealed class ClusterTransactionTests(ThreeSilos fixture) : IClassFixture<ThreeSilos>
{
    private SiloCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_transaction_over_partitions_of_every_silo_commits_and_aborts_as_a_whole()
    {
        string topic = TestData.UniqueTopic("txn-cluster");
        await Cluster.CreateTopicAsync(topic, 6);
        int[] leaders = SiloCluster.Leaders(Cluster[0], topic);
        Assert.Equal(3, leaders.Distinct().Count());

        string transactionalId = "tx-" + topic;
        using (IProducer<string, string> producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = Cluster.BootstrapServers, TransactionalId = transactionalId, LingerMs = 5,
        }).Build())
        {
            producer.InitTransactions(TimeSpan.FromSeconds(60));
            foreach ((string name, bool commit) in new[] { ("first", true), ("aborted", false), ("second", true) })
            {
                producer.BeginTransaction();
                for (int p = 0; p < 6; p++)
                {
                    await producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = name, Value = $"{name}-{p}" });
                }

                if (commit)
                {
                    producer.CommitTransaction(TimeSpan.FromSeconds(60));
                }
                else
                {
                    producer.AbortTransaction(TimeSpan.FromSeconds(60));
                }
            }
        }

        // Every silo names the same coordinator (FindCoordinator v3, key type 1).
        var coordinators = new HashSet<int>();
        foreach (SiloProcess silo in Cluster.Silos)
        {
            FindCoordinatorResponse found = await WireCall.SendAsync<FindCoordinatorResponse>(silo.KafkaPort, ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { Key = transactionalId, KeyType = 1 });
            Assert.Equal(0, found.ErrorCode);
            coordinators.Add(found.NodeId);
        }

        Assert.Single(coordinators);

        // librdkafka's consumers read committed by default.
        Dictionary<int, List<(long Offset, string Value)>> read = ConfluentClients.ReadAll(Cluster[2].BootstrapServers, topic, 6);
        for (int p = 0; p < 6; p++)
        {
            Assert.Equal([$"first-{p}", $"second-{p}"], read[p].Select(r => r.Value));
        }
    }
}
