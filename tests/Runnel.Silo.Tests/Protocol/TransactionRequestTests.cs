using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Protocol;

/// <summary>Transaction requests out of order or with bad ids on a raw connection: Kafka's error codes, and nothing written.</summary>
public sealed class TransactionRequestTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    private async Task<InitProducerIdResponse> InitAsync(RawKafkaConnection c, string transactionalId, int timeoutMs = 10_000)
        => await GeneratedMessageClient.SendAsync<InitProducerIdResponse>(c, ApiKey.InitProducerId, 1, new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = timeoutMs });

    private static async Task<short> EndAsync(RawKafkaConnection c, string transactionalId, long producerId, short epoch, bool commit, short version = 1)
        => (await GeneratedMessageClient.SendAsync<EndTxnResponse>(c, ApiKey.EndTxn, version, new EndTxnRequest { TransactionalId = transactionalId, ProducerId = producerId, ProducerEpoch = epoch, Committed = commit })).ErrorCode;

    private static async Task<List<short>> AddPartitionsAsync(RawKafkaConnection c, string transactionalId, long producerId, short epoch, short version, params (string Topic, int Partition)[] partitions)
    {
        var request = new AddPartitionsToTxnRequest { V3AndBelowTransactionalId = transactionalId, V3AndBelowProducerId = producerId, V3AndBelowProducerEpoch = epoch };
        foreach (var group in partitions.GroupBy(p => p.Topic))
        {
            request.V3AndBelowTopics.Add(new() { Name = group.Key, Partitions = group.Select(p => p.Partition).ToList() });
        }

        var response = await GeneratedMessageClient.SendAsync<AddPartitionsToTxnResponse>(c, ApiKey.AddPartitionsToTxn, version, request);
        return response.ResultsByTopicV3AndBelow.SelectMany(t => t.ResultsByPartition).Select(p => p.PartitionErrorCode).ToList();
    }

    private static byte[] Batch(long producerId, short epoch, bool control = false)
        => new Runnel.Records.RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = 0, IsTransactional = true, IsControl = control }
            .Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, "v"u8.ToArray()).ToArray();

    [Fact]
    public async Task Out_of_order_and_fenced_transaction_requests_get_kafkas_errors()
    {
        string topic = TestData.UniqueTopic("txn-raw");
        string id = "tx-" + topic;
        await using RawKafkaConnection c = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await c.CreateTopicOrFailAsync(topic);

        Assert.Equal((short)ErrorCode.InvalidTransactionTimeout, (await InitAsync(c, id, timeoutMs: 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidProducerIdMapping, await EndAsync(c, "never-initialized-" + id, 1, 0, commit: true));

        InitProducerIdResponse first = await InitAsync(c, id);
        Assert.Equal(0, first.ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync(c, id, first.ProducerId, first.ProducerEpoch, commit: true)); // nothing to end

        // A transactional batch to a partition that is not in the transaction is refused and not stored.
        ProducePartitionResult unadded = await c.ProduceAsync(topic, 0, Batch(first.ProducerId, first.ProducerEpoch));
        Assert.Equal((short)ErrorCode.InvalidTxnState, unadded.ErrorCode);

        // Nothing is added unless everything can be.
        Assert.Equal([(short)ErrorCode.OperationNotAttempted, (short)ErrorCode.UnknownTopicOrPartition],
            await AddPartitionsAsync(c, id, first.ProducerId, first.ProducerEpoch, 1, (topic, 0), ("no-such-topic-" + topic, 0)));
        Assert.Equal([(short)ErrorCode.InvalidProducerIdMapping], await AddPartitionsAsync(c, id, first.ProducerId + 1000, first.ProducerEpoch, 1, (topic, 0)));

        Assert.Equal([(short)0], await AddPartitionsAsync(c, id, first.ProducerId, first.ProducerEpoch, 1, (topic, 0)));
        Assert.Equal((short)ErrorCode.InvalidRecord, (await c.ProduceAsync(topic, 0, Batch(first.ProducerId, first.ProducerEpoch, control: true))).ErrorCode);
        Assert.Equal(0, (await c.ProduceAsync(topic, 0, Batch(first.ProducerId, first.ProducerEpoch))).ErrorCode);

        // A second init fences the first epoch: v2+ hear PRODUCER_FENCED, older versions INVALID_PRODUCER_EPOCH.
        InitProducerIdResponse second = await InitAsync(c, id);
        Assert.Equal(first.ProducerId, second.ProducerId);
        Assert.True(second.ProducerEpoch > first.ProducerEpoch);
        Assert.Equal([(short)ErrorCode.ProducerFenced], await AddPartitionsAsync(c, id, first.ProducerId, first.ProducerEpoch, 2, (topic, 0)));
        Assert.Equal([(short)ErrorCode.InvalidProducerEpoch], await AddPartitionsAsync(c, id, first.ProducerId, first.ProducerEpoch, 1, (topic, 0)));
        Assert.Equal((short)ErrorCode.ProducerFenced, await EndAsync(c, id, first.ProducerId, first.ProducerEpoch, commit: true, version: 3));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, (await c.ProduceAsync(topic, 0, Batch(first.ProducerId, first.ProducerEpoch))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, await EndAsync(c, id, first.ProducerId, (short)(second.ProducerEpoch + 1), commit: true));

        // The first epoch's transaction was aborted by the second init: an abort of the new (empty) one is refused,
        // and read_committed's end moved past the aborted batch.
        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync(c, id, second.ProducerId, second.ProducerEpoch, commit: false));
        var (listError, lastStable) = await ListCommittedEndAsync(c, topic);
        Assert.Equal(0, listError);
        Assert.Equal(2, lastStable); // the aborted batch (offset 0) and its marker (offset 1)
    }

    [Fact]
    public async Task Transactional_offsets_need_AddOffsetsToTxn_first_and_a_member_of_the_current_generation()
    {
        string topic = TestData.UniqueTopic("txn-raw-offsets");
        string id = "tx-" + topic;
        string group = "group-" + topic;
        await using RawKafkaConnection c = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await c.CreateTopicOrFailAsync(topic);
        InitProducerIdResponse init = await InitAsync(c, id);
        Assert.Equal(0, init.ErrorCode);

        Assert.Equal((short)ErrorCode.InvalidTxnState, await TxnOffsetCommitAsync(c, id, group, topic, init, generation: -1, memberId: string.Empty));
        var added = await GeneratedMessageClient.SendAsync<AddOffsetsToTxnResponse>(c, ApiKey.AddOffsetsToTxn, 1,
            new AddOffsetsToTxnRequest { TransactionalId = id, ProducerId = init.ProducerId, ProducerEpoch = init.ProducerEpoch, GroupId = group });
        Assert.Equal(0, added.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, await TxnOffsetCommitAsync(c, id, group, topic, init, generation: 7, memberId: "nobody"));
        Assert.Equal(0, await TxnOffsetCommitAsync(c, id, group, topic, init, generation: -1, memberId: string.Empty));

        // Held by the open transaction: not committed yet, and unstable for a consumer that asks for stable offsets.
        Assert.Equal((-1L, (short)0), await FetchOffsetAsync(c, group, topic, requireStable: false));
        Assert.Equal((-1L, (short)ErrorCode.UnstableOffsetCommit), await FetchOffsetAsync(c, group, topic, requireStable: true));
        Assert.Equal(0, await EndAsync(c, id, init.ProducerId, init.ProducerEpoch, commit: true));
        Assert.Equal((42L, (short)0), await FetchOffsetAsync(c, group, topic, requireStable: true));
    }

    private static async Task<(long Offset, short Error)> FetchOffsetAsync(RawKafkaConnection c, string group, string topic, bool requireStable)
    {
        var fetched = await GeneratedMessageClient.SendAsync<OffsetFetchResponse>(c, ApiKey.OffsetFetch, 7,
            new OffsetFetchRequest { GroupId = group, RequireStable = requireStable, Topics = [new() { Name = topic, PartitionIndexes = [0] }] });
        var partition = fetched.Topics[0].Partitions[0];
        return (partition.CommittedOffset, partition.ErrorCode);
    }

    private static async Task<short> TxnOffsetCommitAsync(RawKafkaConnection c, string id, string group, string topic, InitProducerIdResponse init, int generation, string memberId)
    {
        var request = new TxnOffsetCommitRequest
        {
            TransactionalId = id, GroupId = group, ProducerId = init.ProducerId, ProducerEpoch = init.ProducerEpoch,
            GenerationId = generation, MemberId = memberId,
        };
        request.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 42 }] });
        var response = await GeneratedMessageClient.SendAsync<TxnOffsetCommitResponse>(c, ApiKey.TxnOffsetCommit, 3, request);
        return response.Topics[0].Partitions[0].ErrorCode;
    }

    private static async Task<(short Error, long Offset)> ListCommittedEndAsync(RawKafkaConnection c, string topic)
    {
        var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = 1 };
        request.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Timestamp = -1 }] });
        var response = await GeneratedMessageClient.SendAsync<ListOffsetsResponse>(c, ApiKey.ListOffsets, 2, request);
        var partition = response.Topics[0].Partitions[0];
        return (partition.ErrorCode, partition.Offset);
    }
}
