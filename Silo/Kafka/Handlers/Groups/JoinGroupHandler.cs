using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>
/// JoinGroup: the answer is held until the group's rebalance completes. The grain hands back a task that a later
/// turn completes, so this handler awaits it outside the grain; the connection waits too, as with Kafka.
/// </summary>
public sealed class JoinGroupHandler : KafkaApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    private readonly IGrainFactory _grains;
    private readonly ClusterView _cluster;

    public JoinGroupHandler(IGrainFactory grains, ClusterView cluster)
    {
        _grains = grains;
        _cluster = cluster;
    }

    public override ApiKey Key => ApiKey.JoinGroup;

    // v0 for librdkafka 2.0.2's feature check; v6 (flexible) is the lowest @platformatic/kafka speaks; v9 adds skipAssignment.
    public override short MinVersion => 0;

    public override short MaxVersion => 9;

    protected override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        if (request.GroupId.Length == 0)
        {
            return ToResponse(JoinGroupOutcome.Failed(ErrorCode.InvalidGroupId, request.MemberId), version);
        }

        if (!_cluster.CoordinatesLocally(request.GroupId))
        {
            return ToResponse(JoinGroupOutcome.Failed(ErrorCode.NotCoordinator, request.MemberId), version);
        }

        var call = new JoinGroupCall(
            request.MemberId,
            version >= 5 ? request.GroupInstanceId : null,
            context.ClientId ?? string.Empty,
            context.Session.ClientHost,
            request.SessionTimeoutMs,
            version >= 1 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs, // v0 has no rebalance timeout: Kafka uses the session timeout
            request.ProtocolType,
            request.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata.ToArray())).ToList(),
            RequireKnownMemberId: version >= 4);
        JoinGroupOutcome outcome = await _grains.GetGrain<IGroupGrain>(request.GroupId).JoinAsync(call).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ToResponse(outcome, version);
    }

    private static JoinGroupResponse ToResponse(JoinGroupOutcome outcome, short version)
    {
        var response = new JoinGroupResponse
        {
            ErrorCode = (short)outcome.Error,
            GenerationId = outcome.GenerationId,
            // Before v7 the protocol name is a non-nullable string; from v7 it is null on errors, like the type.
            ProtocolType = outcome.ProtocolType,
            ProtocolName = version >= 7 ? outcome.ProtocolName : outcome.ProtocolName ?? string.Empty,
            Leader = outcome.LeaderId,
            MemberId = outcome.MemberId,
            SkipAssignment = outcome.SkipAssignment,
        };
        if (outcome.Error != ErrorCode.None)
        {
            response.ProtocolType = null;
            response.ProtocolName = version >= 7 ? null : string.Empty;
        }

        foreach (JoinedMember member in outcome.Members)
        {
            response.Members.Add(new() { MemberId = member.MemberId, GroupInstanceId = member.GroupInstanceId, Metadata = member.Metadata });
        }

        return response;
    }

    protected override ErrorCode FirstError(JoinGroupResponse response) => (ErrorCode)response.ErrorCode;
}
