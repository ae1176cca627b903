using Orleans.Concurrency;
using Runnel.Protocol;

namespace Runnel.Grains;

/// <summary>
/// A consumer group on its coordinator silo, keyed by group id: Kafka's classic rebalance protocol (JoinGroup,
/// SyncGroup, Heartbeat, LeaveGroup) and the group's committed offsets. Every call is one short turn, except that
/// JoinGroup and SyncGroup answers may wait for the rebalance to complete: those two calls interleave, so a member
/// waiting for the others never blocks the requests that complete the rebalance.
/// </summary>
[Alias("runnel.group")]
public interface IGroupGrain : IGrainWithStringKey
{
    /// <summary>Kafka's rebalance timeout is the client's (max.poll.interval.ms, up to the maximum session timeout), far above Orleans' 30 s default.</summary>
    const string RebalanceCallTimeout = "00:31:00";

    [Alias("join")]
    [AlwaysInterleave]
    [ResponseTimeout(RebalanceCallTimeout)]
    Task<JoinGroupOutcome> JoinAsync(JoinGroupCall call);

    [Alias("sync")]
    [AlwaysInterleave]
    [ResponseTimeout(RebalanceCallTimeout)]
    Task<SyncGroupOutcome> SyncAsync(SyncGroupCall call);

    [Alias("heartbeat")]
    Task<ErrorCode> HeartbeatAsync(int generationId, string memberId, string? groupInstanceId);

    /// <summary>Removes members; one error per member, in order.</summary>
    [Alias("leave")]
    Task<IReadOnlyList<ErrorCode>> LeaveAsync(IReadOnlyList<LeavingMember> members);

    /// <summary>Commits offsets durably (to the offsets topic) after the generation and member checks; one error per entry.</summary>
    [Alias("commit-offsets")]
    Task<IReadOnlyList<ErrorCode>> CommitOffsetsAsync(OffsetCommitCall call);

    /// <summary>
    /// Commits the offsets of a committed transaction (TxnOffsetCommit, then EndTxn) and stops holding them as
    /// pending: the transaction coordinator fenced the producer, so no generation check applies here.
    /// </summary>
    [Alias("commit-txn-offsets")]
    Task<ErrorCode> CommitTransactionalOffsetsAsync(long producerId, IReadOnlyList<OffsetCommitEntry> offsets);

    /// <summary>An open transaction of the producer holds offsets for these partitions (OffsetFetch with require_stable waits).</summary>
    [Alias("hold-txn-offsets")]
    Task HoldTransactionalOffsetsAsync(long producerId, IReadOnlyList<GroupTopicPartition> partitions);

    /// <summary>The producer's transaction ended without committing offsets here: they are no longer pending.</summary>
    [Alias("release-txn-offsets")]
    Task ReleaseTransactionalOffsetsAsync(long producerId);

    /// <summary>
    /// TxnOffsetCommit v3+ (KIP-447): a producer that names a generation, member id or instance id is checked
    /// against the group as an OffsetCommit would be, so a member that lost its partitions cannot commit them.
    /// </summary>
    [Alias("check-txn-commit")]
    Task<ErrorCode> CheckTransactionalCommitAsync(int generationId, string memberId, string? groupInstanceId);

    [Alias("describe")]
    Task<GroupDescription> DescribeAsync();

    /// <summary>DeleteGroups: only an empty group can go; its offsets are deleted with it.</summary>
    [Alias("delete")]
    Task<ErrorCode> DeleteAsync();

    /// <summary>OffsetDelete: a group-level error, then one error per partition.</summary>
    [Alias("delete-offsets")]
    Task<OffsetDeleteOutcome> DeleteOffsetsAsync(IReadOnlyList<GroupTopicPartition> partitions);

    /// <summary>Deletes offsets past their retention if the group is empty; returns how many were deleted.</summary>
    [Alias("expire-offsets")]
    Task<int> ExpireOffsetsAsync();
}

[GenerateSerializer]
[Immutable]
[Alias("runnel.group-topic-partition")]
public readonly record struct GroupTopicPartition(string Topic, int Partition);

/// <summary>OffsetDelete's answer: a group-level error, then one error per partition asked.</summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.offset-delete-outcome")]
public sealed record OffsetDeleteOutcome(ErrorCode Error, IReadOnlyList<ErrorCode> Partitions);

/// <summary>A protocol a member supports (e.g. "range") with its opaque subscription metadata.</summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.group-protocol")]
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>A JoinGroup request as the coordinator sees it; byte arrays are owned copies, not views of the request frame.</summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.join-group-call")]
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

[GenerateSerializer]
[Immutable]
[Alias("runnel.joined-member")]
public sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

[GenerateSerializer]
[Immutable]
[Alias("runnel.join-group-outcome")]
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

[GenerateSerializer]
[Immutable]
[Alias("runnel.member-assignment")]
public sealed record MemberAssignment(string MemberId, byte[] Assignment);

[GenerateSerializer]
[Immutable]
[Alias("runnel.sync-group-call")]
public sealed record SyncGroupCall(
    int GenerationId,
    string MemberId,
    string? GroupInstanceId,
    string? ProtocolType,
    string? ProtocolName,
    IReadOnlyList<MemberAssignment> Assignments);

[GenerateSerializer]
[Immutable]
[Alias("runnel.sync-group-outcome")]
public sealed record SyncGroupOutcome(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment)
{
    public static SyncGroupOutcome Failed(ErrorCode error) => new(error, null, null, []);
}

[GenerateSerializer]
[Immutable]
[Alias("runnel.leaving-member")]
public sealed record LeavingMember(string MemberId, string? GroupInstanceId);

[GenerateSerializer]
[Immutable]
[Alias("runnel.offset-commit-entry")]
public sealed record OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);

[GenerateSerializer]
[Immutable]
[Alias("runnel.offset-commit-call")]
public sealed record OffsetCommitCall(int GenerationId, string MemberId, string? GroupInstanceId, IReadOnlyList<OffsetCommitEntry> Offsets);

[GenerateSerializer]
[Immutable]
[Alias("runnel.group-member-description")]
public sealed record GroupMemberDescription(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    byte[] Metadata,
    byte[] Assignment);

/// <summary>A group as DescribeGroups and the HTTP endpoint show it.</summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.group-description")]
public sealed record GroupDescription(
    string GroupId,
    string State,
    string ProtocolType,
    string ProtocolName,
    int GenerationId,
    string? LeaderId,
    IReadOnlyList<GroupMemberDescription> Members);
