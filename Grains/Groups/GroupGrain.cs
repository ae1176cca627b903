using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Runnel.Grains.Cluster;
using Runnel.Grains.Topics;
using Runnel.Protocol;

namespace Runnel.Grains.Groups;

/// <summary>
/// A consumer group's coordinator: Kafka's classic rebalance protocol as a state machine driven by turns (requests
/// and a ticker for session and rebalance deadlines), and the group's offset commits. JoinGroup and SyncGroup answers
/// that must wait are TaskCompletionSources completed by a later turn; those calls interleave, so waiting for them
/// never blocks the grain.
/// </summary>
[GrainType(GrainTypes.Group)]
[LeaderPlacement]
public sealed partial class GroupGrain : Grain, IGroupGrain
{
    private readonly GroupCoordinatorOptions _settings;
    private readonly OffsetStore _offsets;
    private readonly PendingTransactionalOffsets _pending;
    private readonly GroupDirectory _directory;
    private readonly TopicService _topics;
    private readonly ClusterView _cluster;
    private readonly ILogger<GroupGrain> _logger;
    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _pendingMembers = new(StringComparer.Ordinal);
    private GroupState _state = GroupState.Empty;
    private string _protocolType = string.Empty;
    private string? _protocolName;
    private int _generation;
    private string? _leaderId;
    private long _rebalanceDeadline;
    private long _initialDelayLimit;
    private bool _initialDelay;
    private long _syncDeadline;
    private long _emptySinceMs;
    private IDisposable? _ticker;
    private bool _removingOffsets;

    public GroupGrain(IOptions<GroupCoordinatorOptions> settings, OffsetStore offsets, PendingTransactionalOffsets pending, GroupDirectory directory, TopicService topics, ClusterView cluster, ILogger<GroupGrain> logger)
    {
        _pending = pending;
        _cluster = cluster;
        _settings = settings.Value;
        _offsets = offsets;
        _directory = directory;
        _topics = topics;
        _logger = logger;
    }

    private string GroupId => this.GetPrimaryKeyString();

    private static long Now => Environment.TickCount64;

    private static long WallClockMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_cluster.CoordinatesLocally(GroupId))
        {
            // The placement put it here while the metadata changed; the caller answers NOT_COORDINATOR and the
            // client finds the coordinator again.
            throw new NotLeaderException($"Node {_cluster.LocalNode} does not coordinate group '{GroupId}'; node {_cluster.CoordinatorOf(GroupId)} does.");
        }

        await _offsets.EnsureLoadedAsync(_cluster.OffsetsPartitionOf(GroupId), cancellationToken);

        // A previous activation of this group may have left its generation and since-when-empty behind.
        if (_directory.TryGet(GroupId, out GroupListing previous) && previous.EmptySinceMs > 0)
        {
            _generation = previous.GenerationId;
            _protocolType = previous.ProtocolType;
            _emptySinceMs = previous.EmptySinceMs;
        }
        else
        {
            _emptySinceMs = _offsets.LoadedAtMs;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Only a silo shutdown can catch members here; NOT_COORDINATOR sends their clients to find the coordinator again.
        foreach (GroupMember member in _members.Values)
        {
            member.CompleteJoin(JoinGroupOutcome.Failed(ErrorCode.NotCoordinator, member.MemberId));
            member.CompleteSync(SyncGroupOutcome.Failed(ErrorCode.NotCoordinator));
        }

        StopTicker();
        if (_members.Count == 0 && !_offsets.HasOffsets(GroupId) && _protocolType.Length == 0)
        {
            _directory.Remove(GroupId);
        }

        return Task.CompletedTask;
    }

    public Task<GroupDescription> DescribeAsync()
    {
        bool stable = _state == GroupState.Stable;
        var members = _members.Values.Select(m => new GroupMemberDescription(
            m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.SessionTimeoutMs,
            stable ? m.MetadataFor(_protocolName) : [],
            stable ? m.Assignment : [])).ToList();
        bool exists = _members.Count > 0 || _directory.Contains(GroupId);
        return Task.FromResult(new GroupDescription(
            GroupId,
            exists ? _state.Name() : GroupState.Dead.Name(),
            _protocolType,
            stable ? _protocolName ?? string.Empty : string.Empty,
            _generation,
            _leaderId,
            members));
    }

    public async Task<ErrorCode> DeleteAsync()
    {
        if (_members.Count > 0 || _pendingMembers.Count > 0)
        {
            return ErrorCode.NonEmptyGroup;
        }

        if (!_directory.Contains(GroupId))
        {
            return ErrorCode.GroupIdNotFound;
        }

        var tombstones = _offsets.GetAll(GroupId).Select(e => new KeyValuePair<GroupTopicPartition, CommittedOffset?>(e.Key, null)).ToList();
        ErrorCode written = await WriteWhileEmptyAsync(tombstones);
        if (written != ErrorCode.None)
        {
            return written;
        }

        _directory.Remove(GroupId);
        _protocolType = string.Empty;
        _generation = 0;
        DeactivateOnIdle();
        LogDeleted(_logger, GroupId, tombstones.Count);
        return ErrorCode.None;
    }

    private void SetState(GroupState state)
    {
        if (state == GroupState.Empty && _state != GroupState.Empty)
        {
            _emptySinceMs = WallClockMs;
        }

        _state = state;
        Publish();
    }

    private void Publish()
        => _directory.Publish(new GroupListing(GroupId, _state, _protocolType, _members.Count, _generation, _emptySinceMs));

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} deleted with {Offsets} committed offsets")]
    private static partial void LogDeleted(ILogger logger, string group, int offsets);

    /// <summary>
    /// True once the group's offsets partition has moved to another silo (the admin move, or a failover): this
    /// activation must stop serving the group, since its commits would go to a log this silo no longer leads and
    /// the new coordinator would never see them. It deactivates and its callers get NOT_COORDINATOR, so the clients
    /// find the new coordinator, where the group activates again (leader placement) from the offsets it replays.
    /// </summary>
    private bool MovedAway()
    {
        if (_cluster.CoordinatesLocally(GroupId))
        {
            return false;
        }

        DeactivateOnIdle();
        return true;
    }
}
