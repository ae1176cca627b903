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

    [Fact]
    public async Task A_zombie_producer_with_an_older_epoch_is_fenced_and_its_transaction_aborted()
    {
        string topic = TestData.UniqueTopic("txn-zombie");
        await CreateTopicAsync(_silo.BootstrapServers, topic, 1);
        using IProducer<string, string> zombie = Producer(_silo.BootstrapServers, "tx-" + topic);
        zombie.InitTransactions(TimeSpan.FromSeconds(30));
        zombie.BeginTransaction();
        await ProduceAsync(zombie, topic, 0, "zombie-1");

        using IProducer<string, string> successor = Producer(_silo.BootstrapServers, "tx-" + topic);
        successor.InitTransactions(TimeSpan.FromSeconds(30));

        // The zombie can neither write to the partition nor commit what it wrote.
        await Assert.ThrowsAnyAsync<KafkaException>(() => ProduceAsync(zombie, topic, 0, "zombie-2"));
        Assert.ThrowsAny<KafkaException>(() => zombie.CommitTransaction(TimeSpan.FromSeconds(30)));

        successor.BeginTransaction();
        await ProduceAsync(successor, topic, 0, "successor-1");
        successor.CommitTransaction(TimeSpan.FromSeconds(30));

        Assert.Equal(["successor-1"], ReadAll(_silo.BootstrapServers, topic, 1, IsolationLevel.ReadCommitted).Values(0));
        Assert.Equal(["zombie-1", "successor-1"], ReadAll(_silo.BootstrapServers, topic, 1, IsolationLevel.ReadUncommitted).Values(0));
    }

    [Fact]
    public async Task A_transaction_open_past_its_timeout_is_aborted_and_never_becomes_visible()
    {
        string topic = TestData.UniqueTopic("txn-timeout");
        await CreateTopicAsync(_silo.BootstrapServers, topic, 1);
        using IProducer<string, string> slow = Producer(_silo.BootstrapServers, "tx-slow-" + topic, transactionTimeoutMs: 2000);
        slow.InitTransactions(TimeSpan.FromSeconds(30));
        slow.BeginTransaction();
        await ProduceAsync(slow, topic, 0, "expired-1");

        // Another producer commits after it: read_committed can reach that record only once the expired
        // transaction is aborted (until then the last stable offset stays at "expired-1").
        using IProducer<string, string> other = Producer(_silo.BootstrapServers, "tx-other-" + topic);
        other.InitTransactions(TimeSpan.FromSeconds(30));
        other.BeginTransaction();
        await ProduceAsync(other, topic, 0, "after-1");
        other.CommitTransaction(TimeSpan.FromSeconds(30));

        List<string> committed = [];
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && committed.Count == 0)
        {
            committed = ReadAll(_silo.BootstrapServers, topic, 1, IsolationLevel.ReadCommitted).Values(0);
            await Task.Delay(500);
        }

        Assert.Equal(["after-1"], committed);
        Assert.ThrowsAny<KafkaException>(() => slow.CommitTransaction(TimeSpan.FromSeconds(30)));
        Assert.Equal(["after-1"], ReadAll(_silo.BootstrapServers, topic, 1, IsolationLevel.ReadCommitted).Values(0));
    }

    [Fact]
    public async Task Offsets_sent_to_a_transaction_are_committed_only_with_it()
    {
        string input = TestData.UniqueTopic("txn-in");
        string output = TestData.UniqueTopic("txn-out");
        string group = "txn-group-" + input;
        await CreateTopicAsync(_silo.BootstrapServers, input, 1);
        await CreateTopicAsync(_silo.BootstrapServers, output, 1);
        using IConsumer<string, string> consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _silo.BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).Build();
        var inputPartition = new TopicPartition(input, 0);
        using IProducer<string, string> producer = Producer(_silo.BootstrapServers, "tx-" + output);
        producer.InitTransactions(TimeSpan.FromSeconds(30));

        producer.BeginTransaction();
        await ProduceAsync(producer, output, 0, "aborted-out");
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(inputPartition, 3)], consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
        producer.AbortTransaction(TimeSpan.FromSeconds(30));
        Assert.Equal(Offset.Unset, Assert.Single(consumer.Committed([inputPartition], TimeSpan.FromSeconds(30))).Offset);

        producer.BeginTransaction();
        await ProduceAsync(producer, output, 0, "committed-out");
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(inputPartition, 5)], consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));

        // While the transaction is open: a read_uncommitted consumer sees the last committed offset (none), and a
        // read_committed one (librdkafka asks for stable offsets, KIP-447) keeps waiting for the transaction to end.
        using (IConsumer<string, string> uncommitted = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _silo.BootstrapServers, GroupId = group, EnableAutoCommit = false, IsolationLevel = IsolationLevel.ReadUncommitted,
        }).Build())
        {
            Assert.Equal(Offset.Unset, Assert.Single(uncommitted.Committed([inputPartition], TimeSpan.FromSeconds(30))).Offset);
        }

        Assert.ThrowsAny<KafkaException>(() => consumer.Committed([inputPartition], TimeSpan.FromSeconds(3)));
        producer.CommitTransaction(TimeSpan.FromSeconds(30));

        Assert.Equal(5, Assert.Single(consumer.Committed([inputPartition], TimeSpan.FromSeconds(30))).Offset.Value);
        Assert.Equal(["committed-out"], ReadAll(_silo.BootstrapServers, output, 1, IsolationLevel.ReadCommitted).Values(0));
    }
}
