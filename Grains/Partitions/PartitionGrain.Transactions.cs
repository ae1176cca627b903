using Microsoft.Extensions.Logging;
using Runnel.Grains.Producers;
using Runnel.Grains.Storage;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Partitions;

/// <summary>
/// The partition's side of transactions: the coordinator registers each producer whose transaction this partition
/// joined (AddPartitionsToTxn), transactional batches are accepted only from a registered producer at its epoch,
/// and the coordinator ends the transaction here with a control batch (the marker).
/// </summary>
public sealed partial class PartitionGrain
{
    private const short TransactionalOrControl = 0x30;

    // Producer id -> the epoch its open transaction was registered with. In memory: after a restart the coordinator
    // aborts every transaction that was open, so nothing registered before it is needed again.
    private readonly Dictionary<long, short> _transactions = [];

    public Task<ErrorCode> BeginTransactionAsync(long producerId, short producerEpoch)
    {
        if (RefuseIfNotLeading() is not null)
        {
            return Task.FromResult(ErrorCode.NotLeaderOrFollower);
        }

        _transactions[producerId] = producerEpoch;
        return Task.FromResult(ErrorCode.None);
    }

    public Task<ErrorCode> WriteTransactionMarkerAsync(long producerId, short producerEpoch, bool commit)
    {
        PartitionLog log = Log;
        if (RefuseIfNotLeading() is not null)
        {
            return Task.FromResult(ErrorCode.NotLeaderOrFollower);
        }

        byte[] marker = TransactionMarker.Build(producerId, producerEpoch, commit, _leaderEpoch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        LogAppendResult appended = log.Append(marker, _leaderEpoch);
        if (!appended.IsSuccess)
        {
            LogMarkerFailed(_logger, _topic, _partition, producerId, appended.Message ?? appended.Error.ToString());
            return Task.FromResult(appended.Error);
        }

        _transactions.Remove(producerId);
        _signal.Notify();
        WakeHousekeeping(); // a marker is an append like any other: flushed, rolled and tiered by the next ticks
        return Task.FromResult(ErrorCode.None);
    }

    /// <summary>Null when a transactional batch may be appended; a control batch from a client never may.</summary>
    private AppendOutcome? CheckTransactional(in RecordBatchHeader header)
    {
        if (header.IsControl)
        {
            return AppendOutcome.Failed(ErrorCode.InvalidRecord, "Control batches are written by the transaction coordinator, not by producers.");
        }

        // A producer fenced by a newer epoch (a marker written for its successor) hears that first, as in Kafka.
        if (Log.Producers.TryGetProducer(header.ProducerId, out short stored, out _, out _) && header.ProducerEpoch < stored)
        {
            return AppendOutcome.Failed(ErrorCode.InvalidProducerEpoch, $"Producer {header.ProducerId} epoch {header.ProducerEpoch} is older than the current one ({stored}).");
        }

        if (!_transactions.TryGetValue(header.ProducerId, out short epoch))
        {
            return AppendOutcome.Failed(ErrorCode.InvalidTxnState, $"Partition {_topic}/{_partition} is not in a transaction of producer {header.ProducerId}: add it with AddPartitionsToTxn first.");
        }

        return header.ProducerEpoch == epoch
            ? null
            : AppendOutcome.Failed(ErrorCode.InvalidProducerEpoch, $"Producer {header.ProducerId} epoch {header.ProducerEpoch} is not the epoch of its transaction ({epoch}).");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the transaction marker of producer {ProducerId} to {Topic}/{Partition} failed: {Reason}")]
    private static partial void LogMarkerFailed(ILogger logger, string topic, int partition, long producerId, string reason);
}
