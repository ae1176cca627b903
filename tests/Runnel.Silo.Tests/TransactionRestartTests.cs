using Confluent.Kafka;
using Runnel.Silo.Tests.Infrastructure;
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
}
