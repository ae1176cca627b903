using Microsoft.Extensions.Logging;
using Runnel.Protocol;

namespace Runnel.Grains.Transactions;

/// <summary>EndTxn, timeouts and recovery: deciding a transaction, writing its markers, completing its offsets.</summary>
public sealed partial class TransactionCoordinatorGrain
{
    public async Task<ErrorCode> EndTransactionAsync(long producerId, short producerEpoch, bool commit)
    {
        ErrorCode refused = CheckProducer(producerId, producerEpoch);
        if (refused != ErrorCode.None)
        {
            return refused;
        }

        switch (_state!.State)
        {
            case TransactionState.Ongoing:
                return await FinishAsync(commit, bumpEpoch: false);
            case TransactionState.PrepareCommit when commit:
            case TransactionState.PrepareAbort when !commit:
                return await FinishAsync(commit, bumpEpoch: false); // a retry after markers failed: finish the same decision
            case TransactionState.CompleteCommit when commit:
            case TransactionState.CompleteAbort when !commit:
                return ErrorCode.None; // a retry of an EndTxn that was answered too late
            default:
                return ErrorCode.InvalidTxnState;
        }
    }

    /// <summary>
    /// Decides (PrepareCommit / PrepareAbort, written first, so a restart finishes the same decision), writes the
    /// markers to every partition, commits the staged offsets to their groups on commit, then completes. With
    /// <paramref name="bumpEpoch"/> (a timeout, a restart, a new producer) the markers carry the next epoch, fencing
    /// the producer that opened the transaction in every partition it wrote to.
    /// </summary>
    private async Task<ErrorCode> FinishAsync(bool commit, bool bumpEpoch)
    {
        TransactionMetadata state = _state!;
        if (state.State is TransactionState.Ongoing)
        {
            short epoch = bumpEpoch && state.ProducerEpoch < short.MaxValue - 1 ? (short)(state.ProducerEpoch + 1) : state.ProducerEpoch;
            ErrorCode decided = await WriteAsync(state with { State = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort, ProducerEpoch = epoch, UpdateMs = NowMs });
            if (decided != ErrorCode.None)
            {
                return decided;
            }

            state = _state!;
        }

        foreach (TransactionPartition p in state.Partitions)
        {
            if (!_topics.TryGetTopic(p.Topic, out Metadata.TopicMetadata? topic) || p.Partition >= topic.PartitionCount)
            {
                continue; // deleted since: no log left to mark
            }

            ErrorCode marked;
            try
            {
                marked = await _topics.Partition(p.Topic, p.Partition).WriteTransactionMarkerAsync(state.ProducerId, state.ProducerEpoch, commit);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogMarkerFailed(_logger, TransactionalId, p.Topic, p.Partition, ex.Message);
                marked = ErrorCode.CoordinatorNotAvailable;
            }

            if (marked != ErrorCode.None)
            {
                return ErrorCode.CoordinatorNotAvailable; // still Prepare*: the client's retry (or recovery) writes them again
            }
        }

        ErrorCode offsets = commit ? await CommitOffsetsAsync(state) : await ReleaseOffsetsAsync(state);
        if (offsets != ErrorCode.None)
        {
            return offsets;
        }

        ErrorCode completed = await WriteAsync(state with
        {
            State = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort,
            Partitions = [],
            Groups = [],
            Offsets = [],
            StartMs = 0,
            UpdateMs = NowMs,
        });
        if (completed == ErrorCode.None)
        {
            LogEnded(_logger, TransactionalId, commit ? "committed" : "aborted", state.Partitions.Count, state.Offsets.Count);
        }

        return completed;
    }

    private async Task<ErrorCode> CommitOffsetsAsync(TransactionMetadata state)
    {
        foreach (string group in state.Groups)
        {
            var entries = new List<OffsetCommitEntry>();
            foreach (PendingOffset p in state.Offsets)
            {
                if (string.Equals(p.Group, group, StringComparison.Ordinal))
                {
                    entries.Add(new OffsetCommitEntry(p.Topic, p.Partition, p.Offset, p.LeaderEpoch, p.Metadata));
                }
            }

            try
            {
                IGroupGrain grain = GrainFactory.GetGrain<IGroupGrain>(group);
                ErrorCode written = entries.Count == 0 ? ErrorCode.None : await grain.CommitTransactionalOffsetsAsync(state.ProducerId, entries);
                if (entries.Count == 0)
                {
                    await grain.ReleaseTransactionalOffsetsAsync(state.ProducerId);
                }

                if (written != ErrorCode.None)
                {
                    return ErrorCode.CoordinatorNotAvailable;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogMarkerFailed(_logger, TransactionalId, group, -1, ex.Message);
                return ErrorCode.CoordinatorNotAvailable;
            }
        }

        return ErrorCode.None;
    }

    /// <summary>An abort drops the transaction's offsets: the groups stop holding them as pending.</summary>
    private async Task<ErrorCode> ReleaseOffsetsAsync(TransactionMetadata state)
    {
        foreach (string group in state.Groups)
        {
            try
            {
                await GrainFactory.GetGrain<IGroupGrain>(group).ReleaseTransactionalOffsetsAsync(state.ProducerId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Only OffsetFetch's require_stable reads the pending set: losing the release is no reason to keep
                // the transaction open.
                LogMarkerFailed(_logger, TransactionalId, group, -1, ex.Message);
            }
        }

        return ErrorCode.None;
    }

    /// <summary>A timer runs while a transaction is open (or ending) and aborts it past its timeout.</summary>
    private void WatchTimeout()
    {
        bool open = _state is { IsOpen: true };
        if (open && _timeoutTimer is null)
        {
            _timeoutTimer = this.RegisterGrainTimer(CheckTimeoutAsync, s_timeoutCheck, s_timeoutCheck);
        }
        else if (!open && _timeoutTimer is not null)
        {
            _timeoutTimer.Dispose();
            _timeoutTimer = null;
        }
    }

    private async Task CheckTimeoutAsync(CancellationToken cancellationToken)
    {
        if (_state is not { IsOpen: true } state)
        {
            return;
        }

        if (state.State == TransactionState.Ongoing && NowMs - state.StartMs > state.TimeoutMs)
        {
            LogTimedOut(_logger, TransactionalId, state.ProducerId, state.ProducerEpoch, state.TimeoutMs);
            await FinishAsync(commit: false, bumpEpoch: true);
        }
        else if (state.State != TransactionState.Ongoing)
        {
            await FinishAsync(state.State == TransactionState.PrepareCommit, bumpEpoch: false); // markers that failed earlier
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transaction of {TransactionalId} {Outcome}: {Partitions} partitions, {Offsets} offsets")]
    private static partial void LogEnded(ILogger logger, string transactionalId, string outcome, int partitions, int offsets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction of {TransactionalId} (producer {ProducerId} epoch {Epoch}) open longer than {TimeoutMs} ms: aborting it")]
    private static partial void LogTimedOut(ILogger logger, string transactionalId, long producerId, short epoch, int timeoutMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction of {TransactionalId}: completing {Target}/{Partition} failed: {Reason}")]
    private static partial void LogMarkerFailed(ILogger logger, string transactionalId, string target, int partition, string reason);
}
