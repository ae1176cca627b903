using System.Text;
using Confluent.Kafka;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;
using Runnel.Silo.Tests.Protocol;
using static Runnel.Silo.Tests.ConfluentDotnetTransactions;

namespace Runnel.Silo.Tests;

/// <summary>
/// A silo SIGKILLed with transactions in flight and restarted on the same data folder: the coordinator's state comes
/// back from `__transaction_state`, a committed transaction stays visible, and one left open is aborted at start,
/// never half-visible to read_committed consumers.
/// </summary>
public sealed class TransactionRestartTests
{
    [Fact]
    public async Task After_a_sigkill_an_open_transaction_is_aborted_and_a_committed_one_stays_visible()
    {
        using SiloProcess silo = await SiloProcess.StartNewAsync();
        string topic = TestData.UniqueTopic("txn-kill");
        await CreateTopicAsync(silo.BootstrapServers, topic, 2);
        string transactionalId = "tx-" + topic;

        using (IProducer<string, string> producer = Producer(silo.BootstrapServers, transactionalId))
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            producer.BeginTransaction();
            await ProduceAsync(producer, topic, 0, "committed-p0");
            await ProduceAsync(producer, topic, 1, "committed-p1");
            producer.CommitTransaction(TimeSpan.FromSeconds(30));

            // Acknowledged records of a transaction that never ends: the silo dies under it.
            producer.BeginTransaction();
            await ProduceAsync(producer, topic, 0, "open-p0");
            await ProduceAsync(producer, topic, 1, "open-p1");
        }

        Assert.Equal(["committed-p0"], ReadAll(silo.BootstrapServers, topic, 2, IsolationLevel.ReadCommitted).Values(0));
        silo.KillHard();
        await silo.RestartAsync();

        // The open transaction was aborted at start: read_committed reaches the end of both partitions (a stuck last
        // stable offset would stop it at "open-*"), and a new producer with the same id commits after it.
        using (IProducer<string, string> producer = Producer(silo.BootstrapServers, transactionalId))
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            producer.BeginTransaction();
            await ProduceAsync(producer, topic, 0, "after-p0");
            await ProduceAsync(producer, topic, 1, "after-p1");
            producer.CommitTransaction(TimeSpan.FromSeconds(30));
        }

        var committed = ReadAll(silo.BootstrapServers, topic, 2, IsolationLevel.ReadCommitted);
        var uncommitted = ReadAll(silo.BootstrapServers, topic, 2, IsolationLevel.ReadUncommitted);
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal([$"committed-p{p}", $"after-p{p}"], committed.Values(p));
            Assert.Equal([$"committed-p{p}", $"open-p{p}", $"after-p{p}"], uncommitted.Values(p));
        }

        Assert.Contains("finished 1 transactions the last stop left open", silo.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The coordinator decided to commit (PrepareCommit is in `__transaction_state`) and the silo died before any marker
    /// was written: after the restart the commit is finished, so the records become visible to read_committed.
    /// The PrepareCommit record is written here through Produce, as the coordinator would have written it.
    /// </summary>
    [Fact]
    public async Task After_a_sigkill_between_the_commit_decision_and_the_markers_the_commit_is_finished()
    {
        using SiloProcess silo = await SiloProcess.StartNewAsync();
        string topic = TestData.UniqueTopic("txn-decided");
        string id = "tx-" + topic;
        long producerId;
        short epoch;
        await using (RawKafkaConnection c = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            await c.CreateTopicOrFailAsync(topic);
            var found = await GeneratedMessageClient.SendAsync<FindCoordinatorResponse>(c, ApiKey.FindCoordinator, 1, new FindCoordinatorRequest { Key = id, KeyType = 1 });
            Assert.Equal(0, found.ErrorCode);
            var init = await GeneratedMessageClient.SendAsync<InitProducerIdResponse>(c, ApiKey.InitProducerId, 1, new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = 60_000 });
            Assert.Equal(0, init.ErrorCode);
            (producerId, epoch) = (init.ProducerId, init.ProducerEpoch);
            var add = new AddPartitionsToTxnRequest { V3AndBelowTransactionalId = id, V3AndBelowProducerId = producerId, V3AndBelowProducerEpoch = epoch };
            add.V3AndBelowTopics.Add(new() { Name = topic, Partitions = [0] });
            var added = await GeneratedMessageClient.SendAsync<AddPartitionsToTxnResponse>(c, ApiKey.AddPartitionsToTxn, 1, add);
            Assert.Equal(0, added.ResultsByTopicV3AndBelow[0].ResultsByPartition[0].PartitionErrorCode);
            // Stamped now: retention.ms deletes a record with an old timestamp at the partition's first housekeeping tick.
            byte[] batch = new Runnel.Records.RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = 0, IsTransactional = true }
                .Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "k"u8.ToArray(), "decided-1"u8.ToArray()).ToArray();
            Assert.Equal(0, (await c.ProduceAsync(topic, 0, batch)).ErrorCode);

            string state = $"{{\"format\":1,\"producerId\":{producerId},\"producerEpoch\":{epoch},\"timeoutMs\":60000,\"state\":\"PrepareCommit\"," +
                $"\"partitions\":[{{\"topic\":\"{topic}\",\"partition\":0}}],\"groups\":[],\"offsets\":[],\"startMs\":1,\"updateMs\":2}}";
            byte[] decision = new Runnel.Records.RecordBatchBuilder().Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(id), Encoding.UTF8.GetBytes(state)).ToArray();
            Assert.Equal(0, (await c.ProduceAsync("__transaction_state", JavaHash(id) % 8, decision)).ErrorCode);
        }

        Assert.Empty(ReadAll(silo.BootstrapServers, topic, 1, IsolationLevel.ReadCommitted));
        silo.KillHard();
        await silo.RestartAsync();

        List<string> visible = ReadAll(silo.BootstrapServers, topic, 1, IsolationLevel.ReadCommitted).Values(0);
        Assert.True(visible.SequenceEqual(["decided-1"]), $"read_committed after the restart: [{string.Join(", ", visible)}]\n{silo.OutputTail()}");
        await using (RawKafkaConnection c = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            // The producer's retry of EndTxn(commit) is answered as the commit it was.
            var ended = await GeneratedMessageClient.SendAsync<EndTxnResponse>(c, ApiKey.EndTxn, 1, new EndTxnRequest { TransactionalId = id, ProducerId = producerId, ProducerEpoch = epoch, Committed = true });
            Assert.Equal(0, ended.ErrorCode);
        }
    }

    /// <summary>Java's String.hashCode made non-negative as Kafka does: the partition of `__transaction_state` an id goes to.</summary>
    private static int JavaHash(string value)
    {
        int hash = 0;
        foreach (char ch in value)
        {
            hash = unchecked((31 * hash) + ch);
        }

        return hash == int.MinValue ? 0 : Math.Abs(hash);
    }
}
