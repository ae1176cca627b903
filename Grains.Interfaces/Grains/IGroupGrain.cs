using Runnel.Protocol;
using Runnel.Runtime;

namespace Runnel.Grains;

/// <summary>
/// A consumer group on its coordinator silo, keyed by group id: Kafka's classic rebalance protocol (JoinGroup,
/// SyncGroup, Heartbeat, LeaveGroup) and the group's committed offsets. Every call is one short turn; JoinGroup and
/// SyncGroup answers that must wait for the rebalance are handed back as a <see cref="HeldReply{T}"/> that a later
/// turn completes, so a held request never blocks the grain.
/// </summary>
public interface IGroupGrain : IGrainWithStringKey
{
    Task<HeldReply<JoinGroupOutcome>> JoinAsync(JoinGroupCall call);

    Task<HeldReply<SyncGroupOutcome>> SyncAsync(SyncGroupCall call);

    Task<ErrorCode> HeartbeatAsync(int generationId, string memberId, string? groupInstanceId);

    /// <summary>Removes members; one error per member, in order.</summary>
    Task<IReadOnlyList<ErrorCode>> LeaveAsync(IReadOnlyList<LeavingMember> members);

    /// <summary>Commits offsets durably (to the offsets topic) after the generation and member checks; one error per entry.</summary>
    Task<IReadOnlyList<ErrorCode>> CommitOffsetsAsync(OffsetCommitCall call);

    Task<GroupDescription> DescribeAsync();

    /// <summary>DeleteGroups: only an empty group can go; its offsets are deleted with it.</summary>
    Task<ErrorCode> DeleteAsync();

    /// <summary>OffsetDelete: a group-level error, then one error per partition.</summary>
    Task<(ErrorCode Error, IReadOnlyList<ErrorCode> Partitions)> DeleteOffsetsAsync(IReadOnlyList<GroupTopicPartition> partitions);

    /// <summary>Deletes offsets past their retention if the group is empty; returns how many were deleted.</summary>
    Task<int> ExpireOffsetsAsync();
}

/// <summary>An answer the coordinator may hold until the rebalance completes; await <see cref="Completion"/> outside the grain.</summary>
public sealed record HeldReply<T>(Task<T> Completion)
{
    public static HeldReply<T> Now(T value) => new(Task.FromResult(value));
}

public readonly record struct GroupTopicPartition(string Topic, int Partition);

/// <summary>A protocol a member supports (e.g. "range") with its opaque subscription metadata.</summary>
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>A JoinGroup request as the coordinator sees it; byte arrays are owned copies, not views of the request frame.</summary>
public sealed record JoinGroupCall(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ProtocolType,
    IReadOnlyList<GroupProtocol> Protocols,
    bool RequireKnownMemberId);

public sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

public sealed record JoinGroupOutcome(
    ErrorCode Error,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string LeaderId,
    string MemberId,
    bool SkipAssignment,
    IReadOnlyList<JoinedMember> Members)
{
    public static JoinGroupOutcome Failed(ErrorCode error, string memberId) => new(error, -1, null, null, string.Empty, memberId, false, []);
}

public sealed record MemberAssignment(string MemberId, byte[] Assignment);

public sealed record SyncGroupCall(
    int GenerationId,
    string MemberId,
    string? GroupInstanceId,
    string? ProtocolType,
    string? ProtocolName,
    IReadOnlyList<MemberAssignment> Assignments);

public sealed record SyncGroupOutcome(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment)
{
    public static SyncGroupOutcome Failed(ErrorCode error) => new(error, null, null, []);
}

public sealed record LeavingMember(string MemberId, string? GroupInstanceId);

public sealed record OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);

public sealed record OffsetCommitCall(int GenerationId, string MemberId, string? GroupInstanceId, IReadOnlyList<OffsetCommitEntry> Offsets);

public sealed record GroupMemberDescription(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    byte[] Metadata,
    byte[] Assignment);

/// <summary>A group as DescribeGroups and the HTTP endpoint show it.</summary>
public sealed record GroupDescription(
    string GroupId,
    string State,
    string ProtocolType,
    string ProtocolName,
    int GenerationId,
    string? LeaderId,
    IReadOnlyList<GroupMemberDescription> Members);
