using Runnel.Protocol;

namespace Runnel.Grains.Groups;

public sealed partial class GroupGrain
{
    // The decision is made synchronously at the start of the turn; the returned task may be completed by a later
    // turn (the rebalance completing), which the call's interleaving lets in.
    public Task<JoinGroupOutcome> JoinAsync(JoinGroupCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Join(call);
    }

    private Task<JoinGroupOutcome> Join(JoinGroupCall call)
    {
        if (MovedAway())
        {
            return Refuse(ErrorCode.NotCoordinator, call.MemberId);
        }

        if (_removingOffsets)
        {
            return Refuse(ErrorCode.CoordinatorLoadInProgress, call.MemberId);
        }

        if (call.SessionTimeoutMs < _settings.MinSessionTimeoutMs || call.SessionTimeoutMs > _settings.MaxSessionTimeoutMs)
        {
            return Refuse(ErrorCode.InvalidSessionTimeout, call.MemberId);
        }

        if (!IsCompatible(call))
        {
            return Refuse(ErrorCode.InconsistentGroupProtocol, call.MemberId);
        }

        if (call.MemberId.Length == 0)
        {
            if (call.GroupInstanceId is { } instanceId)
            {
                return JoinStaticWithoutMemberId(call, instanceId);
            }

            string memberId = NewMemberId(call.ClientId);
            if (call.RequireKnownMemberId)
            {
                // KIP-394 (JoinGroup v4+): hand out the id first and count the member only once it comes back with
                // it, so a client that times out and retries does not leave a ghost member behind.
                _pendingMembers[memberId] = Now + call.SessionTimeoutMs;
                EnsureTicker();
                return Refuse(ErrorCode.MemberIdRequired, memberId);
            }

            return AddMemberAndRebalance(memberId, call);
        }

        if (call.GroupInstanceId is { } instance)
        {
            if (!_staticMembers.TryGetValue(instance, out string? current))
            {
                return Refuse(ErrorCode.UnknownMemberId, call.MemberId);
            }

            if (current != call.MemberId)
            {
                return Refuse(ErrorCode.FencedInstanceId, call.MemberId);
            }
        }

        if (_pendingMembers.Remove(call.MemberId))
        {
            return AddMemberAndRebalance(call.MemberId, call);
        }

        if (!_members.TryGetValue(call.MemberId, out GroupMember? member))
        {
            return Refuse(ErrorCode.UnknownMemberId, call.MemberId);
        }

        switch (_state)
        {
            case GroupState.CompletingRebalance when member.HasSameProtocols(call.Protocols):
                // A repeated join (e.g. the response was lost): answer with the generation just formed.
                return Task.FromResult(CurrentGenerationFor(member));
            case GroupState.Stable when member.MemberId != _leaderId && member.HasSameProtocols(call.Protocols):
                return Task.FromResult(CurrentGenerationFor(member));
            default:
                // The leader rejoining means it wants a new assignment (e.g. its subscription changed); so does a
                // member with new protocols. Both start a rebalance.
                return UpdateMemberAndRebalance(member, call);
        }
    }

    /// <summary>A static member (group.instance.id) without a member id: a restarted instance takes over its old membership.</summary>
    private Task<JoinGroupOutcome> JoinStaticWithoutMemberId(JoinGroupCall call, string instanceId)
    {
        string memberId = NewMemberId(instanceId);
        if (!_staticMembers.TryGetValue(instanceId, out string? oldId) || !_members.TryGetValue(oldId, out GroupMember? member))
        {
            return AddMemberAndRebalance(memberId, call);
        }

        // The old member id is fenced from now on: whoever still uses it gets FENCED_INSTANCE_ID.
        member.CompleteJoin(JoinGroupOutcome.Failed(ErrorCode.FencedInstanceId, oldId));
        member.CompleteSync(SyncGroupOutcome.Failed(ErrorCode.FencedInstanceId));
        _members.Remove(oldId);
        member.MemberId = memberId;
        _members[memberId] = member;
        _staticMembers[instanceId] = memberId;
        if (_leaderId == oldId)
        {
            _leaderId = memberId;
        }

        List<string> topicsBefore = SubscribedTopics(member);
        member.Update(call);
        LogStaticMemberReplaced(_logger, GroupId, instanceId, oldId, memberId);

        // As Kafka decides it: the group stays as it is unless the protocol it would select or the member's
        // subscription changed (the metadata bytes may differ, e.g. owned partitions, without mattering).
        if (_state == GroupState.Stable && SelectProtocol() == _protocolName && topicsBefore.SequenceEqual(SubscribedTopics(member)))
        {
            // Rejoined within its session with the same subscription: it keeps its assignment and nobody rebalances.
            member.KeepAlive(Now);
            bool isLeader = memberId == _leaderId;
            return Task.FromResult(new JoinGroupOutcome(
                ErrorCode.None, _generation, _protocolType, _protocolName, _leaderId ?? string.Empty, memberId, isLeader, isLeader ? AllMembers() : []));
        }

        return AwaitRebalance(member);
    }

    private Task<JoinGroupOutcome> AddMemberAndRebalance(string memberId, JoinGroupCall call)
    {
        if (_members.Count == 0)
        {
            _protocolType = call.ProtocolType;
        }

        var member = new GroupMember(memberId, call);
        _members[memberId] = member;
        if (call.GroupInstanceId is { } instanceId)
        {
            _staticMembers[instanceId] = memberId;
        }

        _leaderId ??= memberId;
        if (_initialDelay && _state == GroupState.PreparingRebalance)
        {
            // Each newcomer during the initial delay buys the others a little more time, up to the rebalance timeout.
            _rebalanceDeadline = Math.Min(Now + _settings.InitialRebalanceDelayMs, _initialDelayLimit);
        }

        LogMemberJoined(_logger, GroupId, memberId, call.ClientId);
        return AwaitRebalance(member);
    }

    private Task<JoinGroupOutcome> UpdateMemberAndRebalance(GroupMember member, JoinGroupCall call)
    {
        member.Update(call);
        return AwaitRebalance(member);
    }

    private Task<JoinGroupOutcome> AwaitRebalance(GroupMember member)
    {
        // A member that somehow joins twice gets its older answer released rather than leaked.
        member.CompleteJoin(JoinGroupOutcome.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
        var waiter = new TaskCompletionSource<JoinGroupOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        member.JoinWaiter = waiter;
        if (_state is GroupState.Empty or GroupState.Stable or GroupState.CompletingRebalance)
        {
            PrepareRebalance();
        }

        Publish();
        TryCompleteJoin();
        return waiter.Task;
    }

    private bool IsCompatible(JoinGroupCall call)
    {
        if (call.ProtocolType.Length == 0 || call.Protocols.Count == 0)
        {
            return false;
        }

        if (_members.Count == 0)
        {
            return true;
        }

        if (call.ProtocolType != _protocolType)
        {
            return false;
        }

        // At least one of the newcomer's protocols must be supported by every other member.
        foreach (GroupProtocol protocol in call.Protocols)
        {
            if (_members.Values.All(m => m.MemberId == call.MemberId || m.Supports(protocol.Name)))
            {
                return true;
            }
        }

        return false;
    }

    private JoinGroupOutcome CurrentGenerationFor(GroupMember member)
    {
        bool isLeader = member.MemberId == _leaderId;
        return new JoinGroupOutcome(ErrorCode.None, _generation, _protocolType, _protocolName, _leaderId ?? string.Empty, member.MemberId, false, isLeader ? AllMembers() : []);
    }

    private List<string> SubscribedTopics(GroupMember member)
        => _protocolType == ConsumerProtocol.ProtocolType
            ? ConsumerProtocol.SubscribedTopics(member.MetadataFor(_protocolName)).Order(StringComparer.Ordinal).ToList()
            : [];

    private List<JoinedMember> AllMembers()
        => _members.Values.Select(m => new JoinedMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(_protocolName))).ToList();

    private static Task<JoinGroupOutcome> Refuse(ErrorCode error, string memberId) => Task.FromResult(JoinGroupOutcome.Failed(error, memberId));

    // Kafka's form: the client id (or instance id) and a UUID, so ids in logs say whose they are.
    private static string NewMemberId(string prefix) => (prefix.Length > 0 ? prefix : "member") + "-" + Guid.NewGuid().ToString("D");
}
