using Microsoft.Extensions.Logging;
using Runnel.Protocol;

namespace Runnel.Grains.Groups;

public sealed partial class GroupGrain
{
    private void PrepareRebalance()
    {
        if (_state == GroupState.CompletingRebalance)
        {
            // The assignment being formed is void: members waiting in SyncGroup must rejoin.
            foreach (GroupMember member in _members.Values)
            {
                member.CompleteSync(SyncGroupOutcome.Failed(ErrorCode.RebalanceInProgress));
            }
        }

        long now = Now;
        if (_state == GroupState.Empty && _settings.InitialRebalanceDelayMs > 0)
        {
            _initialDelay = true;
            _rebalanceDeadline = now + _settings.InitialRebalanceDelayMs;
            _initialDelayLimit = now + MaxRebalanceTimeout();
        }
        else
        {
            _initialDelay = false;
            _rebalanceDeadline = now + MaxRebalanceTimeout();
        }

        SetState(GroupState.PreparingRebalance);
        EnsureTicker();
    }

    /// <summary>Completes the join phase once every member has rejoined and no KIP-394 newcomer is still on its way.</summary>
    private void TryCompleteJoin()
    {
        if (_state != GroupState.PreparingRebalance || (_initialDelay && Now < _rebalanceDeadline))
        {
            return;
        }

        if (_pendingMembers.Count == 0 && _members.Values.All(m => m.IsAwaitingJoin))
        {
            CompleteJoin();
        }
    }

    /// <summary>Forms the next generation from the members that rejoined (also when the rebalance timeout ran out).</summary>
    private void CompleteJoin()
    {
        _initialDelay = false;

        // Dynamic members that did not rejoin in time are out. Static ones stay with their last subscription until
        // their session expires, so a restarting instance does not cost a second rebalance.
        foreach (GroupMember member in _members.Values.Where(m => !m.IsAwaitingJoin && !m.IsStatic).ToList())
        {
            RemoveMember(member, "did not rejoin before the rebalance timeout", rebalance: false);
        }

        _generation++;
        if (_members.Count == 0)
        {
            _protocolName = null;
            _leaderId = null;
            SetState(GroupState.Empty);
            LogGenerationEmpty(_logger, GroupId, _generation);
            StopTickerIfIdle();
            return;
        }

        _protocolName = SelectProtocol();
        if (_leaderId is null || !_members.ContainsKey(_leaderId))
        {
            _leaderId = (_members.Values.FirstOrDefault(m => m.IsAwaitingJoin) ?? _members.Values.First()).MemberId;
        }

        SetState(GroupState.CompletingRebalance);
        long now = Now;
        _syncDeadline = now + MaxRebalanceTimeout();
        List<JoinedMember> all = AllMembers();
        foreach (GroupMember member in _members.Values)
        {
            if (member.IsAwaitingJoin)
            {
                member.IsNew = false;
                member.KeepAlive(now);
            }

            bool isLeader = member.MemberId == _leaderId;
            member.CompleteJoin(new JoinGroupOutcome(ErrorCode.None, _generation, _protocolType, _protocolName, _leaderId, member.MemberId, false, isLeader ? all : []));
        }

        LogGenerationFormed(_logger, GroupId, _generation, _members.Count, _protocolName, _leaderId);
    }

    /// <summary>The protocol every member supports that most members list first (ties go to the earlier listed).</summary>
    private string SelectProtocol()
    {
        List<string> candidates = _members.Values.First().Protocols
            .Select(p => p.Name)
            .Where(name => _members.Values.All(m => m.Supports(name)))
            .ToList();
        if (candidates.Count == 0)
        {
            // Cannot happen: joins without a common protocol are refused. Fall back to the leader's first choice.
            return _members.Values.First().Protocols[0].Name;
        }

        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (GroupMember member in _members.Values)
        {
            string vote = member.Protocols.First(p => candidates.Contains(p.Name)).Name;
            votes[vote] = votes.GetValueOrDefault(vote) + 1;
        }

        return candidates.OrderByDescending(c => votes.GetValueOrDefault(c)).First();
    }

    private void RemoveMember(GroupMember member, string reason, bool rebalance = true)
    {
        _members.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instanceId && _staticMembers.TryGetValue(instanceId, out string? id) && id == member.MemberId)
        {
            _staticMembers.Remove(instanceId);
        }

        member.CompleteJoin(JoinGroupOutcome.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        member.CompleteSync(SyncGroupOutcome.Failed(ErrorCode.UnknownMemberId));
        if (_leaderId == member.MemberId)
        {
            _leaderId = null;
        }

        LogMemberRemoved(_logger, GroupId, member.MemberId, reason);
        Publish();
        if (!rebalance)
        {
            return;
        }

        if (_state is GroupState.Stable or GroupState.CompletingRebalance)
        {
            PrepareRebalance();
        }

        TryCompleteJoin();
    }

    private int MaxRebalanceTimeout() => _members.Count == 0 ? _settings.InitialRebalanceDelayMs : _members.Values.Max(m => m.RebalanceTimeoutMs);

    private void EnsureTicker() => _ticker ??= this.RegisterGrainTimer(TickAsync, _settings.TickInterval, _settings.TickInterval);

    private void StopTickerIfIdle()
    {
        if (_members.Count == 0 && _pendingMembers.Count == 0)
        {
            StopTicker();
        }
    }

    private void StopTicker()
    {
        _ticker?.Dispose();
        _ticker = null;
    }

    /// <summary>A turn every tick while the group has members: sessions, the rebalance and the sync deadlines.</summary>
    private Task TickAsync(CancellationToken cancellationToken)
    {
        long now = Now;
        foreach (var pending in _pendingMembers.Where(p => p.Value <= now).ToList())
        {
            _pendingMembers.Remove(pending.Key);
        }

        // A member waiting for a held answer is alive by definition; the rebalance and sync deadlines bound that wait.
        foreach (GroupMember member in _members.Values.Where(m => !m.IsAwaitingJoin && m.SyncWaiter is null && m.SessionDeadline <= now).ToList())
        {
            if (_members.ContainsKey(member.MemberId))
            {
                RemoveMember(member, "session timed out");
            }
        }

        if (_state == GroupState.PreparingRebalance && now >= _rebalanceDeadline)
        {
            CompleteJoin();
        }
        else if (_state == GroupState.PreparingRebalance)
        {
            TryCompleteJoin();
        }
        else if (_state == GroupState.CompletingRebalance && now >= _syncDeadline)
        {
            foreach (GroupMember member in _members.Values.Where(m => m.SyncWaiter is null).ToList())
            {
                RemoveMember(member, "did not send SyncGroup before the rebalance timeout");
            }
        }

        StopTickerIfIdle();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} generation {Generation}: {Members} members, protocol {Protocol}, leader {Leader}")]
    private static partial void LogGenerationFormed(ILogger logger, string group, int generation, int members, string? protocol, string? leader);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} generation {Generation}: empty")]
    private static partial void LogGenerationEmpty(ILogger logger, string group, int generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} removed ({Reason})")]
    private static partial void LogMemberRemoved(ILogger logger, string group, string member, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {Group}: member {Member} (client {ClientId}) joined")]
    private static partial void LogMemberJoined(ILogger logger, string group, string member, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: static member {Instance} rejoined, {OldMember} replaced by {NewMember}")]
    private static partial void LogStaticMemberReplaced(ILogger logger, string group, string instance, string oldMember, string newMember);
}
