using Runnel.Grains.Metadata;
using Runnel.Protocol;

namespace Runnel.Grains.Transactions;

/// <summary>AddPartitionsToTxn, AddOffsetsToTxn and TxnOffsetCommit: what a transaction holds while it is open.</summary>
public sealed partial class TransactionCoordinatorGrain
{
    public async Task<IReadOnlyList<ErrorCode>> AddPartitionsAsync(long producerId, short producerEpoch, IReadOnlyList<TxnPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var errors = new ErrorCode[partitions.Count];
        ErrorCode refused = CheckOpenable(producerId, producerEpoch);
        bool anyUnknown = false;
        for (int i = 0; refused == ErrorCode.None && i < partitions.Count; i++)
        {
            bool known = _topics.TryGetTopic(partitions[i].Topic, out TopicMetadata? topic) && partitions[i].Partition >= 0 && partitions[i].Partition < topic.PartitionCount;
            errors[i] = known ? ErrorCode.None : ErrorCode.UnknownTopicOrPartition;
            anyUnknown |= !known;
        }

        if (refused != ErrorCode.None || anyUnknown)
        {
            // Kafka's rule: nothing is added unless everything can be; the others are "not attempted".
            for (int i = 0; i < errors.Length; i++)
            {
                errors[i] = refused != ErrorCode.None ? refused : errors[i] == ErrorCode.None ? ErrorCode.OperationNotAttempted : errors[i];
            }

            return errors;
        }

        TransactionMetadata state = _state!;
        var added = new List<TransactionPartition>(state.Partitions);
        var fresh = new List<TransactionPartition>();
        foreach (TxnPartition p in partitions)
        {
            var entry = new TransactionPartition(p.Topic, p.Partition);
            if (!added.Contains(entry))
            {
                added.Add(entry);
                fresh.Add(entry);
            }
        }

        // Written before the partitions accept the producer's batches: whatever reaches a log is then known here,
        // so a restart can abort it.
        ErrorCode written = fresh.Count == 0 && state.State == TransactionState.Ongoing ? ErrorCode.None : await WriteAsync(Begin(state) with { Partitions = added, UpdateMs = NowMs });
        foreach (TransactionPartition p in fresh)
        {
            if (written != ErrorCode.None)
            {
                break;
            }

            try
            {
                written = await _topics.Partition(p.Topic, p.Partition).BeginTransactionAsync(producerId, producerEpoch);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                written = ErrorCode.NotLeaderOrFollower;
            }
        }

        Array.Fill(errors, written);
        return errors;
    }

    public async Task<ErrorCode> AddOffsetsAsync(long producerId, short producerEpoch, string groupId)
    {
        ErrorCode refused = CheckOpenable(producerId, producerEpoch);
        if (refused != ErrorCode.None)
        {
            return refused;
        }

        if (string.IsNullOrEmpty(groupId))
        {
            return ErrorCode.InvalidGroupId;
        }

        TransactionMetadata state = _state!;
        if (state.State == TransactionState.Ongoing && state.Groups.Contains(groupId))
        {
            return ErrorCode.None;
        }

        return await WriteAsync(Begin(state) with { Groups = [.. state.Groups, groupId], UpdateMs = NowMs });
    }

    public async Task<ErrorCode> StageOffsetsAsync(long producerId, short producerEpoch, string groupId, IReadOnlyList<OffsetCommitEntry> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ErrorCode refused = CheckProducer(producerId, producerEpoch);
        if (refused != ErrorCode.None)
        {
            return refused;
        }

        TransactionMetadata state = _state!;
        if (state.State != TransactionState.Ongoing || !state.Groups.Contains(groupId))
        {
            return ErrorCode.InvalidTxnState; // AddOffsetsToTxn for this group must come first
        }

        var pending = new List<PendingOffset>(state.Offsets.Count + offsets.Count);
        foreach (PendingOffset p in state.Offsets)
        {
            if (!Replaced(p, groupId, offsets))
            {
                pending.Add(p);
            }
        }

        foreach (OffsetCommitEntry e in offsets)
        {
            pending.Add(new PendingOffset(groupId, e.Topic, e.Partition, e.Offset, e.LeaderEpoch, e.Metadata));
        }

        ErrorCode written = await WriteAsync(state with { Offsets = pending, UpdateMs = NowMs });
        if (written == ErrorCode.None)
        {
            var partitions = new List<GroupTopicPartition>(offsets.Count);
            foreach (OffsetCommitEntry e in offsets)
            {
                partitions.Add(new GroupTopicPartition(e.Topic, e.Partition));
            }

            try
            {
                await GrainFactory.GetGrain<IGroupGrain>(groupId).HoldTransactionalOffsetsAsync(producerId, partitions);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHoldFailed(_logger, TransactionalId, groupId, ex.Message); // the offsets stay staged; only require_stable misses them
            }
        }

        return written;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Transaction of {TransactionalId}: the group {Group} could not be told of its pending offsets: {Reason}")]
    private static partial void LogHoldFailed(Microsoft.Extensions.Logging.ILogger logger, string transactionalId, string group, string reason);

    /// <summary>The producer may add to a transaction: its epoch is current and no transaction of it is ending.</summary>
    private ErrorCode CheckOpenable(long producerId, short producerEpoch)
    {
        ErrorCode producer = CheckProducer(producerId, producerEpoch);
        return producer != ErrorCode.None ? producer
            : _state!.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort ? ErrorCode.ConcurrentTransactions
            : ErrorCode.None;
    }

    /// <summary>The state with a transaction open: an ended (or no) transaction starts a new one now.</summary>
    private static TransactionMetadata Begin(TransactionMetadata state) => state.State == TransactionState.Ongoing
        ? state
        : state with { State = TransactionState.Ongoing, StartMs = NowMs, Partitions = [], Groups = [], Offsets = [] };

    private static bool Replaced(PendingOffset pending, string groupId, IReadOnlyList<OffsetCommitEntry> offsets)
    {
        if (!string.Equals(pending.Group, groupId, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (OffsetCommitEntry e in offsets)
        {
            if (e.Partition == pending.Partition && string.Equals(e.Topic, pending.Topic, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
