using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Consumer.Groups;

/// <summary>
/// This consumer's membership in a group, run by one background loop: join (JoinGroup, with the member id the
/// broker asks for), compute the assignment when leader, SyncGroup, then heartbeat and auto-commit until a
/// rebalance or an error asks for a new join. Eager assignors give up every partition before joining;
/// cooperative ones keep theirs and give up only what moved, then join once more. Dispose leaves the group.
/// </summary>
internal sealed partial class GroupMembership
{
    private readonly KafkaCluster _cluster;
    private readonly GroupCoordinator _coordinator;
    private readonly ConsumerOptions _options;
    private readonly IReadOnlyList<string> _topics;
    private readonly IGroupCallbacks _callbacks;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private IPartitionAssignor? _assignor;
    private volatile bool _needsJoin = true;

    public GroupMembership(KafkaCluster cluster, GroupCoordinator coordinator, ConsumerOptions options, IReadOnlyList<string> topics, IGroupCallbacks callbacks)
    {
        _cluster = cluster;
        _coordinator = coordinator;
        _options = options;
        _topics = topics;
        _callbacks = callbacks;
    }

    public string MemberId { get; private set; } = string.Empty;

    public int GenerationId { get; private set; } = -1;

    public void Start()
    {
        lock (_stop)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    /// <summary>Stops heartbeating, commits (auto-commit) and leaves the group.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (MemberId.Length == 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            await _callbacks.RevokeAsync([.. _callbacks.Owned()], commit: true, timeout.Token).ConfigureAwait(false);
            BrokerConnection connection = await _coordinator.ConnectAsync(timeout.Token).ConfigureAwait(false);
            var request = new LeaveGroupRequest { GroupId = _coordinator.GroupId, MemberId = MemberId };
            request.Members.Add(new LeaveGroupRequest.MemberIdentity { MemberId = MemberId, GroupInstanceId = null, Reason = "the consumer is closing" });
            await connection.SendAsync<LeaveGroupResponse>(ApiKey.LeaveGroup, request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            LogGroupError(_cluster.Logger, _coordinator.GroupId, "leaving: " + e.Message);
        }
    }

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        long nextHeartbeat = 0;
        long nextCommit = Stopwatch.GetTimestamp() + Ticks(_options.AutoCommitInterval);
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_needsJoin)
                {
                    await JoinAsync(stop).ConfigureAwait(false);
                    nextHeartbeat = Stopwatch.GetTimestamp() + Ticks(_options.HeartbeatInterval);
                    failures = 0;
                    continue;
                }

                long now = Stopwatch.GetTimestamp();
                if (now >= nextHeartbeat)
                {
                    await HeartbeatAsync(stop).ConfigureAwait(false);
                    nextHeartbeat = now + Ticks(_options.HeartbeatInterval);
                }

                if (_options.EnableAutoCommit && now >= nextCommit)
                {
                    nextCommit = now + Ticks(_options.AutoCommitInterval);
                    await _callbacks.CommitPositionsAsync(stop).ConfigureAwait(false);
                }

                failures = 0;
                await Task.Delay(TimeSpan.FromMilliseconds(50), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (KafkaException e)
            {
                LogGroupError(_cluster.Logger, _coordinator.GroupId, e.Message);
                await HandleErrorAsync(e.ErrorCode, stop).ConfigureAwait(false);
                try
                {
                    await Task.Delay(_cluster.Backoff(failures++), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task HandleErrorAsync(ErrorCode error, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case ErrorCode.RebalanceInProgress:
                _needsJoin = true;
                break;
            case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.FencedInstanceId:
                // The group moved on without us: the partitions are lost, not revoked (no commit).
                await _callbacks.RevokeAsync([.. _callbacks.Owned()], commit: false, cancellationToken).ConfigureAwait(false);
                MemberId = error == ErrorCode.UnknownMemberId ? string.Empty : MemberId;
                GenerationId = -1;
                _needsJoin = true;
                break;
            default:
                if (KafkaErrors.NeedsCoordinatorRediscovery(error))
                {
                    _coordinator.Invalidate();
                }

                break;
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        BrokerConnection connection = await _coordinator.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var request = new HeartbeatRequest { GroupId = _coordinator.GroupId, GenerationId = GenerationId, MemberId = MemberId };
        HeartbeatResponse response = await connection.SendAsync<HeartbeatResponse>(ApiKey.Heartbeat, request, cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(response.ErrorCode, $"Heartbeat in group '{_coordinator.GroupId}'");
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Group {Group}: {Message}")]
    private static partial void LogGroupError(ILogger logger, string group, string message);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Group {Group}: generation {Generation}, member {MemberId}, protocol {Protocol}, assigned {Assigned}, revoked {Revoked}")]
    private static partial void LogJoined(ILogger logger, string group, int generation, string memberId, string protocol, int assigned, int revoked);
}
