using Microsoft.Extensions.Logging;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Tiering;
using Runnel.Protocol;

namespace Runnel.Grains.Partitions;

/// <summary>
/// Leadership in a cluster: the activation claims the partition's lease for the epoch the metadata assigned to this
/// node, starts above every offset an earlier leader may have used, keeps its offset ceiling ahead of the log end,
/// and stops appending once another claim replaced its own. A silo on its own leads at epoch 0 without a lease.
/// </summary>
public sealed partial class PartitionGrain
{
    private PartitionLease? _lease;
    private int _leaderEpoch;
    private bool _fenced;
    private Task? _extending;

    /// <summary>Claims the lease; returns the offset the log must continue at or above.</summary>
    /// <exception cref="NotLeaderException">The metadata names another node (or none) as leader.</exception>
    private async Task<long> ClaimLeadershipAsync(TopicMetadata topic, CancellationToken cancellationToken)
    {
        if (!_cluster.IsClustered)
        {
            return 0;
        }

        if (!_cluster.LeadsLocally(topic, _partition))
        {
            throw new NotLeaderException($"Node {_cluster.LocalNode} does not lead {_topic}/{_partition}; node {_cluster.LeaderOf(topic, _partition)} does.");
        }

        _leaderEpoch = topic.Assignment(_partition).Epoch;
        string name = TierBlobNames.Lease(TierBlobNames.PartitionPrefix(topic.TopicId, _partition));
        (_lease, LeaseClaim claim) = await PartitionLease.ClaimAsync(_storage.Store, name, _cluster.LocalNode, _leaderEpoch, cancellationToken);
        if (!claim.WasLastLeader)
        {
            // Another node led since this one did: what this folder holds beyond the blob tier diverged from that
            // leader's log. It is kept aside and reported, never served.
            _stranded.SetAside(topic, _partition, _topics.PartitionPath(topic, _partition), _leaderEpoch, claim.PreviousLeader);
        }

        LogClaimed(_logger, _topic, _partition, _leaderEpoch, claim.OffsetFloor, claim.PreviousLeader);
        return claim.OffsetFloor;
    }

    public async Task<HandOverOutcome> HandOverAsync()
    {
        if (_lease is null || _tiering is null || _log is null || _fenced)
        {
            return new HandOverOutcome(ErrorCode.NotLeaderOrFollower, -1, _leaderEpoch, $"{_topic}/{_partition} is not led here in a cluster.");
        }

        if (!_log.Options.RemoteStorageEnabled)
        {
            return new HandOverOutcome(ErrorCode.InvalidRequest, -1, _leaderEpoch, $"{_topic} keeps its data on the leader only (remote.storage.enable=false): it cannot move without losing it.");
        }

        // Appends are turns of this grain: once fenced here, none lands after the end this hand-over reports.
        _fenced = true;
        try
        {
            _log.RollNow();
            for (int pass = 0; pass < 100 && !_tiering.AllUploaded; pass++)
            {
                await _tiering.RunOnceAsync(CancellationToken.None);
            }

            if (!_tiering.AllUploaded || !await _lease.HandOverAsync(_log.LogEndOffset, CancellationToken.None))
            {
                _fenced = false;
                return new HandOverOutcome(ErrorCode.KafkaStorageError, -1, _leaderEpoch, $"{_topic}/{_partition} could not upload its log or update its lease; it stays here.");
            }

            LogHandedOver(_logger, _topic, _partition, _log.LogEndOffset);
            return new HandOverOutcome(ErrorCode.None, _log.LogEndOffset, _leaderEpoch, null);
        }
        catch
        {
            _fenced = false;
            throw;
        }
    }

    /// <summary>An append refused because this activation may not (or may not yet) write: replaced, or at its ceiling.</summary>
    private AppendOutcome? RefuseIfNotLeading()
    {
        if (_fenced)
        {
            return AppendOutcome.Failed(ErrorCode.NotLeaderOrFollower, $"Node {_cluster.LocalNode} no longer leads {_topic}/{_partition}.");
        }

        if (_lease is { } lease && Log.LogEndOffset >= lease.Ceiling - (PartitionLease.ReserveAhead / 4))
        {
            // Only when extensions keep failing: a quarter of the reserve is left for what this request may add.
            ExtendLeaseIfDue();
            return AppendOutcome.Failed(ErrorCode.NotEnoughReplicasAfterAppend, $"{_topic}/{_partition} is waiting for its offset reservation to be extended.");
        }

        return null;
    }

    /// <summary>Raises the ceiling in the background once half the reserve is used; never awaited in an append.</summary>
    private void ExtendLeaseIfDue()
    {
        if (_lease is { } lease && !_fenced && _log is { } log && lease.ShouldExtend(log.LogEndOffset) && _extending is null or { IsCompleted: true })
        {
            _extending = ExtendLeaseAsync(lease, log.LogEndOffset);
        }
    }

    private async Task ExtendLeaseAsync(PartitionLease lease, long logEnd)
    {
        try
        {
            if (!await lease.ExtendAsync(logEnd, CancellationToken.None))
            {
                _fenced = true;
                LogFenced(_logger, _topic, _partition, _leaderEpoch);
                DeactivateOnIdle();
            }
        }
        catch (Exception e) when (e is IOException or BlobStorage.BlobStoreException)
        {
            LogExtendFailed(_logger, _topic, _partition, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leading {Topic}/{Partition} at epoch {Epoch}: offsets continue at or above {Floor} (previous leader node {Previous})")]
    private static partial void LogClaimed(ILogger logger, string topic, int partition, int epoch, long floor, int previous);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic}/{Partition} handed over at offset {End}: sealed, uploaded, lease lowered to the log end")]
    private static partial void LogHandedOver(ILogger logger, string topic, int partition, long end);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Topic}/{Partition}: a later leader replaced epoch {Epoch} on this node; appends here stop")]
    private static partial void LogFenced(ILogger logger, string topic, int partition, int epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Topic}/{Partition}: the offset reservation could not be extended; the next tick tries again")]
    private static partial void LogExtendFailed(ILogger logger, string topic, int partition, Exception exception);
}
