using Orleans.Concurrency;
using Runnel.Protocol;

namespace Runnel.Grains;

/// <summary>
/// The transaction coordinator of one transactional id (KIP-98), keyed by that id, on the silo leading the
/// `__transaction_state` partition the id hashes to. Every state change is written to that topic before it is
/// answered, so a restarted silo completes or aborts what was in flight. Every call validates the producer id and
/// epoch first: an older epoch is fenced (PRODUCER_FENCED), an unknown producer id gets INVALID_PRODUCER_ID_MAPPING.
/// </summary>
[Alias("runnel.txn-coordinator")]
public interface ITransactionCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>
    /// InitProducerId with this transactional id: the producer id (allocated once per transactional id) with the next
    /// epoch. A transaction the previous epoch left open is aborted first, so its zombie can never commit it.
    /// </summary>
    [Alias("init")]
    [ResponseTimeout("00:02:00")]
    Task<TxnInitOutcome> InitProducerAsync(int transactionTimeoutMs, long producerId, short producerEpoch);

    /// <summary>AddPartitionsToTxn: one error per partition, in order (all the same unless a partition is unknown).</summary>
    [Alias("add-partitions")]
    [ResponseTimeout("00:02:00")]
    Task<IReadOnlyList<ErrorCode>> AddPartitionsAsync(long producerId, short producerEpoch, IReadOnlyList<TxnPartition> partitions);

    /// <summary>AddOffsetsToTxn: the group's offsets (TxnOffsetCommit) become part of the transaction.</summary>
    [Alias("add-offsets")]
    Task<ErrorCode> AddOffsetsAsync(long producerId, short producerEpoch, string groupId);

    /// <summary>TxnOffsetCommit: offsets held with the transaction and committed to the group only when it commits.</summary>
    [Alias("stage-offsets")]
    Task<ErrorCode> StageOffsetsAsync(long producerId, short producerEpoch, string groupId, IReadOnlyList<OffsetCommitEntry> offsets);

    /// <summary>EndTxn: writes the markers to every partition of the transaction and completes (or drops) its offsets.</summary>
    [Alias("end")]
    [ResponseTimeout("00:02:00")]
    Task<ErrorCode> EndTransactionAsync(long producerId, short producerEpoch, bool commit);

    /// <summary>Activates the coordinator so it finishes what a restart interrupted and watches its transaction's timeout.</summary>
    [Alias("recover")]
    [ResponseTimeout("00:02:00")]
    Task RecoverAsync();

    /// <summary>The coordinator's state, for diagnostics and tests.</summary>
    [Alias("describe")]
    Task<TxnDescription> DescribeAsync();
}

[GenerateSerializer]
[Immutable]
[Alias("runnel.txn-partition")]
public readonly record struct TxnPartition(string Topic, int Partition);

[GenerateSerializer]
[Immutable]
[Alias("runnel.txn-init-outcome")]
public readonly record struct TxnInitOutcome(ErrorCode Error, long ProducerId, short ProducerEpoch);

[GenerateSerializer]
[Immutable]
[Alias("runnel.txn-description")]
public sealed record TxnDescription(string TransactionalId, string State, long ProducerId, short ProducerEpoch, int TimeoutMs, IReadOnlyList<TxnPartition> Partitions);
