using Confluent.Kafka;
using Runnel.Silo.Tests.Infrastructure;
using static Runnel.Silo.Tests.ConfluentDotnetTransactions;

namespace Runnel.Silo.Tests;

/// <summary>
/// Transactions with Confluent.Kafka 2.16 (librdkafka 2.16) against a silo process: commit and abort over several
/// partitions, what read_committed and read_uncommitted consumers see, fencing of a zombie producer, the coordinator's
/// timeout, and offsets sent to a transaction.
/// </summary>
public sealed class ConfluentDotnetTransactionTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task Read_committed_sees_exactly_the_committed_transactions_in_order_read_uncommitted_sees_all()
    {
        string topic = TestData.UniqueTopic("txn-commit-abort");
        await CreateTopicAsync(_silo.BootstrapServers, topic, 3);
        using IProducer<string, string> producer = Producer(_silo.BootstrapServers, "tx-" + topic);
        producer.InitTransactions(TimeSpan.FromSeconds(30));

        for (int t = 0; t < 3; t++)
        {
            producer.BeginTransaction();
            for (int p = 0; p < 3; p++)
            {
                await ProduceAsync(producer, topic, p, $"t{t}-p{p}-a", $"t{t}-p{p}-b");
            }

            if (t == 1)
            {
                producer.AbortTransaction(TimeSpan.FromSeconds(30));
            }
            else
            {
                producer.CommitTransaction(TimeSpan.FromSeconds(30));
            }
        }

        var committed = ReadAll(_silo.BootstrapServers, topic, 3, IsolationLevel.ReadCommitted);
        var uncommitted = ReadAll(_silo.BootstrapServers, topic, 3, IsolationLevel.ReadUncommitted);
        for (int p = 0; p < 3; p++)
        {
            Assert.Equal([$"t0-p{p}-a", $"t0-p{p}-b", $"t2-p{p}-a", $"t2-p{p}-b"], committed.Values(p));
            Assert.Equal([$"t0-p{p}-a", $"t0-p{p}-b", $"t1-p{p}-a", $"t1-p{p}-b", $"t2-p{p}-a", $"t2-p{p}-b"], uncommitted.Values(p));
        }
    }

    [Fact]
    public async Task An_open_transaction_holds_read_committed_back_until_it_commits()
    {
        string topic = TestData.UniqueTopic("txn-lso");
        await CreateTopicAsync(_silo.BootstrapServers, topic, 1);
        using IProducer<string, string> producer = Producer(_silo.BootstrapServers, "tx-" + topic);
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        producer.BeginTransaction();
        await ProduceAsync(producer, topic, 0, "open-1", "open-2");

        Assert.Empty(ReadAll(_silo.BootstrapServers, topic, 1, IsolationLevel.ReadCommitted));
        Assert.Equal(["open-1", "open-2"], ReadAll(_silo.BootstrapServers, topic, 1, IsolationLevel.ReadUncommitted).Values(0));

        producer.CommitTransaction(TimeSpan.FromSeconds(30));
        Assert.Equal(["open-1", "open-2"], ReadAll(_silo.BootstrapServers, topic, 1, IsolationLevel.ReadCommitted).Values(0));
    }
}
