using Runnel.Protocol;

namespace Runnel.Grains.Groups;

public sealed partial class GroupGrain
{
    public Task<SyncGroupOutcome> SyncAsync(SyncGroupCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Sync(call);
    }

    private Task<SyncGroupOutcome> Sync(SyncGroupCall call)
    {
        if (MovedAway())
        {
            return Task.FromResult(SyncGroupOutcome.Failed(ErrorCode.NotCoordinator));
        }

        ErrorCode error = CheckMember(call.GenerationId, call.MemberId, call.GroupInstanceId, out GroupMember? member);
        if (error == ErrorCode.None && ((call.ProtocolType is { } type && type != _protocolType) || (call.ProtocolName is { } name && name != _protocolName)))
        {
            error = ErrorCode.InconsistentGroupProtocol;
        }

        if (error != ErrorCode.None)
        {
            return Task.FromResult(SyncGroupOutcome.Failed(error));
        }

        switch (_state)
        {
            case GroupState.PreparingRebalance:
                return Task.FromResult(SyncGroupOutcome.Failed(ErrorCode.RebalanceInProgress));
            case GroupState.Stable:
                member!.KeepAlive(Now);
                return Task.FromResult(new SyncGroupOutcome(ErrorCode.None, _protocolType, _protocolName, member.Assignment));
            default:
                member!.CompleteSync(SyncGroupOutcome.Failed(ErrorCode.RebalanceInProgress));
                var waiter = new TaskCompletionSource<SyncGroupOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
                member.SyncWaiter = waiter;
                member.KeepAlive(Now);
                if (member.MemberId == _leaderId)
                {
                    ApplyAssignment(call.Assignments);
                }

                return waiter.Task;
        }
    }

    /// <summary>The leader's assignment: stored per member (members it left out get an empty one) and sent to every waiter.</summary>
    private void ApplyAssignment(IReadOnlyList<MemberAssignment> assignments)
    {
        var byMember = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (MemberAssignment assignment in assignments)
        {
            byMember[assignment.MemberId] = assignment.Assignment;
        }

        foreach (GroupMember member in _members.Values)
        {
            member.Assignment = byMember.GetValueOrDefault(member.MemberId) ?? [];
        }

        SetState(GroupState.Stable);
        foreach (GroupMember member in _members.Values)
        {
            member.CompleteSync(new SyncGroupOutcome(ErrorCode.None, _protocolType, _protocolName, member.Assignment));
        }
    }

    public Task<ErrorCode> HeartbeatAsync(int generationId, string memberId, string? groupInstanceId)
    {
        if (MovedAway())
        {
            return Task.FromResult(ErrorCode.NotCoordinator);
        }

        ErrorCode error = CheckMember(generationId, memberId, groupInstanceId, out GroupMember? member);
        if (error != ErrorCode.None)
        {
            return Task.FromResult(error);
        }

        member!.KeepAlive(Now);

        // During a rebalance the heartbeat is how members learn they must rejoin.
        return Task.FromResult(_state == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None);
    }

    public Task<IReadOnlyList<ErrorCode>> LeaveAsync(IReadOnlyList<LeavingMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var errors = new List<ErrorCode>(members.Count);
        foreach (LeavingMember leaving in members)
        {
            errors.Add(Leave(leaving));
        }

        StopTickerIfIdle();
        return Task.FromResult<IReadOnlyList<ErrorCode>>(errors);
    }

    private ErrorCode Leave(LeavingMember leaving)
    {
        GroupMember? member;
        if (leaving.GroupInstanceId is { } instanceId)
        {
            if (!_staticMembers.TryGetValue(instanceId, out string? id) || !_members.TryGetValue(id, out member))
            {
                return ErrorCode.UnknownMemberId;
            }

            if (leaving.MemberId.Length > 0 && leaving.MemberId != id)
            {
                return ErrorCode.FencedInstanceId;
            }
        }
        else if (_pendingMembers.Remove(leaving.MemberId))
        {
            TryCompleteJoin();
            return ErrorCode.None;
        }
        else if (!_members.TryGetValue(leaving.MemberId, out member))
        {
            return ErrorCode.UnknownMemberId;
        }

        RemoveMember(member, "left the group");
        return ErrorCode.None;
    }

    /// <summary>The fencing every member request goes through: known member, its instance not taken over, current generation.</summary>
    private ErrorCode CheckMember(int generationId, string memberId, string? groupInstanceId, out GroupMember? member)
    {
        member = null;
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out string? current) && current != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }

        if (!_members.TryGetValue(memberId, out member))
        {
            return ErrorCode.UnknownMemberId;
        }

        return generationId != _generation ? ErrorCode.IllegalGeneration : ErrorCode.None;
    }
}
