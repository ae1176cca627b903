using System.Text;
using Microsoft.Extensions.Logging;
using Runnel.Grains.Metadata;
using Runnel.Protocol;

namespace Runnel.Grains.Groups;

public sealed partial class GroupGrain
{
    public Task HoldTransactionalOffsetsAsync(long producerId, IReadOnlyList<GroupTopicPartition> partitions)
    {
        _pending.Hold(GroupId, producerId, partitions);
        return Task.CompletedTask;
    }

    public Task ReleaseTransactionalOffsetsAsync(long producerId)
    {
        _pending.Release(GroupId, producerId);
        return Task.CompletedTask;
    }

    public async Task<ErrorCode> CommitTransactionalOffsetsAsync(long producerId, IReadOnlyList<OffsetCommitEntry> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        long now = WallClockMs;
        var changes = new List<KeyValuePair<GroupTopicPartition, CommittedOffset?>>(offsets.Count);
        foreach (OffsetCommitEntry entry in offsets)
        {
            changes.Add(new(new GroupTopicPartition(entry.Topic, entry.Partition), new CommittedOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata ?? string.Empty, now)));
        }

        ErrorCode written = await _offsets.WriteAsync(GroupId, changes);
        if (written == ErrorCode.None)
        {
            _pending.Release(GroupId, producerId);
            if (_members.Count == 0)
            {
                Publish();
            }
        }

        return written;
    }

    public Task<ErrorCode> CheckTransactionalCommitAsync(int generationId, string memberId, string? groupInstanceId)
    {
        // Kafka checks only producers that name a member: one that sends none (an older client) is fenced by its
        // transaction's epoch alone.
        bool namesMember = generationId >= 0 || !string.IsNullOrEmpty(memberId) || groupInstanceId is not null;
        return Task.FromResult(namesMember ? CheckCommit(new OffsetCommitCall(generationId, memberId ?? string.Empty, groupInstanceId, [])) : ErrorCode.None);
    }

    public async Task<IReadOnlyList<ErrorCode>> CommitOffsetsAsync(OffsetCommitCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var errors = new ErrorCode[call.Offsets.Count];
        ErrorCode groupError = MovedAway() ? ErrorCode.NotCoordinator : CheckCommit(call);
        if (groupError != ErrorCode.None)
        {
            // Refusals happen around rebalances, and they are what a client's re-read records trace back to.
            LogCommitRefused(_logger, GroupId, call.MemberId, call.GenerationId, groupError, _generation, _state);
            Array.Fill(errors, groupError);
            return errors;
        }

        long now = WallClockMs;
        var changes = new List<KeyValuePair<GroupTopicPartition, CommittedOffset?>>(call.Offsets.Count);
        var accepted = new List<int>(call.Offsets.Count);
        for (int i = 0; i < call.Offsets.Count; i++)
        {
            OffsetCommitEntry entry = call.Offsets[i];
            if (!_topics.TryGetTopic(entry.Topic, out TopicMetadata? topic) || entry.Partition < 0 || entry.Partition >= topic.PartitionCount)
            {
                errors[i] = ErrorCode.UnknownTopicOrPartition;
            }
            else if (entry.Metadata is not null && Encoding.UTF8.GetByteCount(entry.Metadata) > _settings.MaxMetadataBytes)
            {
                errors[i] = ErrorCode.OffsetMetadataTooLarge;
            }
            else
            {
                changes.Add(new(new GroupTopicPartition(entry.Topic, entry.Partition), new CommittedOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata ?? string.Empty, now)));
                accepted.Add(i);
            }
        }

        ErrorCode written = await _offsets.WriteAsync(GroupId, changes);
        foreach (int i in accepted)
        {
            errors[i] = written;
        }

        if (written == ErrorCode.None && _members.Count == 0)
        {
            // A standalone (assign()-style) committer makes the group exist, as an empty group.
            Publish();
        }

        return errors;
    }

    /// <summary>
    /// Kafka's rules: a commit without a generation is for groups without members (standalone consumers); otherwise
    /// the member must be known, of the current generation, and not in the middle of forming a new one. Commits
    /// during PreparingRebalance are allowed: that is when members commit what they consumed before rejoining.
    /// </summary>
    private ErrorCode CheckCommit(OffsetCommitCall call)
    {
        if (call.GenerationId < 0 && _members.Count == 0)
        {
            return ErrorCode.None;
        }

        ErrorCode error = CheckMember(call.GenerationId, call.MemberId, call.GroupInstanceId, out GroupMember? member);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (_state == GroupState.CompletingRebalance)
        {
            return ErrorCode.RebalanceInProgress;
        }

        member!.KeepAlive(Now);
        return ErrorCode.None;
    }

    public async Task<OffsetDeleteOutcome> DeleteOffsetsAsync(IReadOnlyList<GroupTopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (!_directory.Contains(GroupId))
        {
            return new OffsetDeleteOutcome(ErrorCode.GroupIdNotFound, []);
        }

        if (_members.Count > 0 && _protocolType != ConsumerProtocol.ProtocolType)
        {
            return new OffsetDeleteOutcome(ErrorCode.NonEmptyGroup, []);
        }

        HashSet<string> subscribed = _members.Values
            .SelectMany(m => ConsumerProtocol.SubscribedTopics(m.MetadataFor(_protocolName)))
            .ToHashSet(StringComparer.Ordinal);
        var errors = new ErrorCode[partitions.Count];
        var tombstones = new List<KeyValuePair<GroupTopicPartition, CommittedOffset?>>();
        for (int i = 0; i < partitions.Count; i++)
        {
            GroupTopicPartition partition = partitions[i];
            if (!_topics.TryGetTopic(partition.Topic, out TopicMetadata? topic) || partition.Partition < 0 || partition.Partition >= topic.PartitionCount)
            {
                errors[i] = ErrorCode.UnknownTopicOrPartition;
            }
            else if (subscribed.Contains(partition.Topic))
            {
                errors[i] = ErrorCode.GroupSubscribedToTopic;
            }
            else if (_offsets.TryGet(GroupId, partition.Topic, partition.Partition, out _))
            {
                tombstones.Add(new(partition, null));
            }
        }

        ErrorCode written = await _offsets.WriteAsync(GroupId, tombstones);
        return new OffsetDeleteOutcome(written, errors);
    }

    public async Task<int> ExpireOffsetsAsync()
    {
        if (_members.Count > 0 || _pendingMembers.Count > 0)
        {
            return 0;
        }

        // An offset expires once the retention has passed both since its commit and since the group became empty.
        long cutoff = WallClockMs - (long)_settings.OffsetsRetention.TotalMilliseconds;
        var expired = _offsets.GetAll(GroupId)
            .Where(e => Math.Max(e.Value.CommitTimestampMs, _emptySinceMs) < cutoff)
            .Select(e => new KeyValuePair<GroupTopicPartition, CommittedOffset?>(e.Key, null))
            .ToList();
        if (await WriteWhileEmptyAsync(expired) != ErrorCode.None)
        {
            return 0;
        }

        if (!_offsets.HasOffsets(GroupId))
        {
            _directory.Remove(GroupId);
            DeactivateOnIdle();
        }

        return expired.Count;
    }

    /// <summary>
    /// Writes offset removals of an empty group. Joins interleave with this call's await (they must: members wait in
    /// them for each other), so they are turned away until the write is done and the group's fate decided;
    /// COORDINATOR_LOAD_IN_PROGRESS makes clients retry the join.
    /// </summary>
    private async Task<ErrorCode> WriteWhileEmptyAsync(List<KeyValuePair<GroupTopicPartition, CommittedOffset?>> removals)
    {
        _removingOffsets = true;
        try
        {
            return await _offsets.WriteAsync(GroupId, removals);
        }
        finally
        {
            _removingOffsets = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: commit of member {Member} at generation {Generation} refused with {Error}; the group is at generation {Current}, {State}")]
    private static partial void LogCommitRefused(ILogger logger, string group, string member, int generation, ErrorCode error, int current, GroupState state);
}
