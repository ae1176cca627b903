namespace Runnel.Grains.Groups;

/// <summary>
/// A member of a group as the coordinator tracks it: its protocols, its assignment, its session deadline and the
/// JoinGroup or SyncGroup answer it is waiting for, if any. Lives inside the group grain only (turns, no locks).
/// </summary>
internal sealed class GroupMember
{
    public GroupMember(string memberId, JoinGroupCall call)
    {
        MemberId = memberId;
        GroupInstanceId = call.GroupInstanceId;
        Update(call);
    }

    public string MemberId { get; set; }

    public string? GroupInstanceId { get; }

    public string ClientId { get; private set; } = string.Empty;

    public string ClientHost { get; private set; } = string.Empty;

    public int SessionTimeoutMs { get; private set; }

    public int RebalanceTimeoutMs { get; private set; }

    public IReadOnlyList<GroupProtocol> Protocols { get; private set; } = [];

    public byte[] Assignment { get; set; } = [];

    /// <summary>Joined in the current rebalance for the first time (not yet in any generation).</summary>
    public bool IsNew { get; set; } = true;

    /// <summary>The member's session ends at this tick count unless it heartbeats (ignored while an answer is held).</summary>
    public long SessionDeadline { get; set; }

    public TaskCompletionSource<JoinGroupOutcome>? JoinWaiter { get; set; }

    public TaskCompletionSource<SyncGroupOutcome>? SyncWaiter { get; set; }

    public bool IsAwaitingJoin => JoinWaiter is not null;

    public bool IsStatic => GroupInstanceId is not null;

    public void Update(JoinGroupCall call)
    {
        ClientId = call.ClientId;
        ClientHost = call.ClientHost;
        SessionTimeoutMs = call.SessionTimeoutMs;
        RebalanceTimeoutMs = call.RebalanceTimeoutMs;
        Protocols = call.Protocols;
    }

    public void KeepAlive(long now) => SessionDeadline = now + SessionTimeoutMs;

    public byte[] MetadataFor(string? protocol)
    {
        foreach (GroupProtocol p in Protocols)
        {
            if (p.Name == protocol)
            {
                return p.Metadata;
            }
        }

        return [];
    }

    public bool Supports(string protocol)
    {
        foreach (GroupProtocol p in Protocols)
        {
            if (p.Name == protocol)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Same protocols, in the same order, with the same metadata: a rejoin that changes nothing.</summary>
    public bool HasSameProtocols(IReadOnlyList<GroupProtocol> protocols)
    {
        if (protocols.Count != Protocols.Count)
        {
            return false;
        }

        for (int i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }

        return true;
    }

    public void CompleteJoin(JoinGroupOutcome outcome)
    {
        TaskCompletionSource<JoinGroupOutcome>? waiter = JoinWaiter;
        JoinWaiter = null;
        waiter?.TrySetResult(outcome);
    }

    public void CompleteSync(SyncGroupOutcome outcome)
    {
        TaskCompletionSource<SyncGroupOutcome>? waiter = SyncWaiter;
        SyncWaiter = null;
        waiter?.TrySetResult(outcome);
    }
}
